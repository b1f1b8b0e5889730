using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace ModernBert.Storage;

/// <summary>
/// A blob lease of <see cref="Duration"/>, renewed every sixth of it in the background. The holder counts it lost
/// (<see cref="Lost"/>) once two thirds of the duration have passed since the last renewal that succeeded was sent,
/// or at once when the service says another holder has it: the service lets another holder in only after the whole
/// duration, so the holder stops a third of the duration before anyone else can start. Renewing every sixth rides out
/// any storage outage of up to about half the duration, wherever it falls between renewals (every third would lose the
/// lease to one just over a third long that starts just before a renewal: two failed renewals). After a failed renewal
/// the next is tried within a second, so that the storage's return is met at once rather than up to a renewal
/// interval later, which an outage plus that wait could push past the two thirds.
/// </summary>
internal sealed class BlobLease : IObjectLease
{
    /// <summary>
    /// The longest the service allows (15 to 60 seconds): a dead holder's lease is free again this long after its end,
    /// and the holder rides out a storage outage of up to half of it (30 s, as CI's Azurite restart on a slow machine
    /// needs: 18 s once lost a 30 s lease).
    /// </summary>
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan RenewalInterval = Duration / 6;
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LostAfter = Duration * 2 / 3;

    private readonly BlobLeaseClient _client;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    private BlobLease(BlobLeaseClient client, TimeProvider time)
    {
        _client = client;
        _time = time;
        _renewing = Task.Run(RenewAsync);
    }

    public CancellationToken Lost => _lost.Token;

    /// <summary>Creates the blob (empty) when missing and takes its lease; null when another holder has it.</summary>
    public static async Task<BlobLease?> TryAcquireAsync(BlobClient blob, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // It exists (and may be leased): the lease below decides.
        }
        BlobLeaseClient client = blob.GetBlobLeaseClient();
        try
        {
            await client.AcquireAsync(Duration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
        return new BlobLease(client, time);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewing;
        if (!_lost.IsCancellationRequested)
        {
            try
            {
                await _client.ReleaseAsync();
            }
            catch (Exception)
            {
                // Whatever failed, the lease runs out by itself.
            }
        }
        _stop.Dispose();
    }

    private async Task RenewAsync()
    {
        long renewed = _time.GetTimestamp();
        TimeSpan wait = RenewalInterval;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(wait, _time, _stop.Token);
                wait = RetryInterval;
                long sent = _time.GetTimestamp();
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                attempt.CancelAfter(RenewalInterval);
                await _client.RenewAsync(cancellationToken: attempt.Token);
                renewed = sent;
                wait = RenewalInterval;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                await _lost.CancelAsync(); // broken, or taken by another holder after it expired
                return;
            }
            catch (Exception)
            {
                // Any other failure (the service, the network, credentials that could not be refreshed) is a missed
                // renewal: the lease is counted lost once they outlast LostAfter, never left running unrenewed.
                if (_time.GetElapsedTime(renewed) >= LostAfter)
                {
                    await _lost.CancelAsync();
                    return;
                }
            }
        }
    }
}
