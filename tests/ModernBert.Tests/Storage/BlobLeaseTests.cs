using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BlobLease = ModernBert.Storage.BlobLease;
using ServiceLease = Azure.Storage.Blobs.Models.BlobLease;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Time.Testing;
using ModernBert.Storage;

namespace ModernBert.Tests.Storage;

/// <summary>
/// A blob lease's renewals when they fail in ways the service does not answer (Azurite's lease tests, in the
/// integration tests, cover the service's own answers): over clients that fail on cue, on a fake clock.
/// </summary>
public sealed class BlobLeaseTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RenewalsThatCannotGetCredentialsCountTheLeaseLostFortySecondsAfterItWasTaken()
    {
        var time = new FakeTimeProvider();
        var client = new FakeLeaseClient { OnRenew = () => throw new AuthenticationFailedException("The token endpoint did not answer.") };
        DateTimeOffset taken = time.GetUtcNow();
        BlobLease lease = (await BlobLease.TryAcquireAsync(new FakeBlob(client), time, Cancellation))!;

        while (!lease.Lost.IsCancellationRequested)
        {
            Assert.True(time.GetUtcNow() - taken < TimeSpan.FromSeconds(60), "The lease was not counted lost while its renewals failed.");
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(5, Cancellation);
        }

        Assert.InRange(time.GetUtcNow() - taken, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(45));
        Assert.True(client.Renewals >= 4, $"{client.Renewals} renewals were tried.");
        await lease.DisposeAsync();
        Assert.Equal(0, client.Releases);
    }

    /// <summary>
    /// An outage from 11 s to 42 s after the lease was taken (renewed at 10 s): the renewal tried within a second of the
    /// storage's return keeps the lease, where one a renewal interval later would come 8 s after it.
    /// </summary>
    [Fact]
    public async Task AfterAFailedRenewalTheNextIsTriedWithinASecond_SoThatAnOutageEndingBeforeTheLimitKeepsTheLease()
    {
        var time = new FakeTimeProvider();
        DateTimeOffset taken = time.GetUtcNow();
        DateTimeOffset? back = null, renewedAfterOutage = null;
        var client = new FakeLeaseClient
        {
            OnRenew = () =>
            {
                TimeSpan since = time.GetUtcNow() - taken;
                if (since > TimeSpan.FromSeconds(11) && since < TimeSpan.FromSeconds(42))
                    throw new RequestFailedException(503, "The storage is down.");
                if (since >= TimeSpan.FromSeconds(42))
                    renewedAfterOutage ??= time.GetUtcNow();
            },
        };
        await using BlobLease lease = (await BlobLease.TryAcquireAsync(new FakeBlob(client), time, Cancellation))!;

        while (time.GetUtcNow() - taken < TimeSpan.FromSeconds(70))
        {
            if (time.GetUtcNow() - taken >= TimeSpan.FromSeconds(42))
                back ??= time.GetUtcNow();
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(5, Cancellation);
        }

        Assert.False(lease.Lost.IsCancellationRequested, "The lease was counted lost though the storage came back in time.");
        Assert.NotNull(renewedAfterOutage);
        Assert.InRange(renewedAfterOutage.Value - back!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task AReleaseThatFailsLeavesTheLeaseToRunOut()
    {
        var client = new FakeLeaseClient { OnRelease = () => throw new AuthenticationFailedException("The token endpoint did not answer.") };
        BlobLease lease = (await BlobLease.TryAcquireAsync(new FakeBlob(client), new FakeTimeProvider(), Cancellation))!;

        await lease.DisposeAsync();

        Assert.Equal(1, client.Releases);
    }

    private sealed class FakeBlob(FakeLeaseClient lease) : BlobClient
    {
        public override Task<Response<BlobContentInfo>> UploadAsync(BinaryData content, BlobUploadOptions options, CancellationToken cancellationToken = default) =>
            Task.FromResult<Response<BlobContentInfo>>(null!);

        protected override BlobLeaseClient GetBlobLeaseClientCore(string leaseId) => lease;
    }

    private sealed class FakeLeaseClient : BlobLeaseClient
    {
        private int _renewals;
        private int _releases;

        public Action OnRenew { get; init; } = () => { };
        public Action OnRelease { get; init; } = () => { };
        public int Renewals => Volatile.Read(ref _renewals);
        public int Releases => Volatile.Read(ref _releases);

        public override Task<Response<ServiceLease>> AcquireAsync(TimeSpan duration, RequestConditions? conditions = null, CancellationToken cancellationToken = default) =>
            Task.FromResult<Response<ServiceLease>>(null!);

        public override Task<Response<ServiceLease>> RenewAsync(RequestConditions? conditions = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _renewals);
            OnRenew();
            return Task.FromResult<Response<ServiceLease>>(null!);
        }

        public override Task<Response<ReleasedObjectInfo>> ReleaseAsync(RequestConditions? conditions = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _releases);
            OnRelease();
            return Task.FromResult<Response<ReleasedObjectInfo>>(null!);
        }
    }
}
