using ModernBert.Modeling;
using ModernBert.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Worker;

/// <summary>How a worker runs the model and takes jobs (configuration section <c>Worker</c>).</summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>
    /// The devices to serve, one device loop each: <c>all</c> (every GPU libtorch sees, else the CPU) or a
    /// comma-separated list of cpu, cuda or cuda:N (a device named twice gets two loops, as tests do with cpu,cpu).
    /// </summary>
    public string Devices { get; set; } = "all";

    /// <summary>fp32, fp16, bf16 or fp8 (see <see cref="ModelDtype"/>); bf16 on CUDA, fp32 on the CPU.</summary>
    public string? Dtype { get; set; }

    public AttentionImplementation Attention { get; set; } = AttentionImplementation.Auto;

    /// <summary>
    /// Rotary, GeGLU and LayerNorm kernels: Torch (libtorch operators, fused by TorchScript on CUDA), Native (our CUDA
    /// kernels, compiled by NVRTC) or Auto (Native where they run and compile, else Torch).
    /// </summary>
    public ElementwiseImplementation Elementwise { get; set; } = ElementwiseKernels.Default;

    /// <summary>Overlapped (copies beside the device's work, on CUDA) or Synchronous.</summary>
    public TransferMode Transfers { get; set; } = TransferMode.Overlapped;

    /// <summary>Tokens per forward pass; a batch of jobs runs in passes of at most this many tokens.</summary>
    public int BatchTokens { get; set; } = 131072;

    /// <summary>Jobs taken from the queue at once.</summary>
    public int BatchJobs { get; set; } = 16;

    /// <summary>How long a partial batch waits for more jobs.</summary>
    public TimeSpan BatchTimeLimit { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Batches in flight per device: while one runs on the device, the next is read in and queued behind it, and the one before is written out.</summary>
    public int ConcurrentBatches { get; set; } = 2;

    /// <summary>Time a stopping worker has to finish, commit and acknowledge its batches.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Longest a batch may take on a GPU once its model is loaded, waiting for its turn included, before the worker
    /// counts it hung and ends itself (see <see cref="BatchWatchdog"/>; CPU batches are not watched). A batch of the
    /// default size takes about a second on a GPU, and waits for up to <see cref="ConcurrentBatches"/> - 1 batches before it.
    /// </summary>
    public TimeSpan BatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Attempts of a batch that fails (with backoff) before its jobs go to the error queue.</summary>
    public int RetryAttempts { get; set; } = 5;

    /// <summary>How many device loops <see cref="Devices"/> makes, without loading libtorch for a list.</summary>
    public int DeviceCount => IsAll ? torch.cuda.is_available() ? Math.Max(1, torch.cuda.device_count()) : 1 : DeviceNames().Length;

    /// <summary>The settings of each device loop, in the order of <see cref="Devices"/>.</summary>
    public IReadOnlyList<InferenceSettings> ResolveDevices()
    {
        IEnumerable<Device> devices = IsAll
            ? torch.cuda.is_available() ? Enumerable.Range(0, torch.cuda.device_count()).Select(index => new Device(DeviceType.CUDA, index)) : [torch.CPU]
            : DeviceNames().Select(TorchRuntime.ParseDevice);
        return devices.Select(device => new InferenceSettings(device,
            ModelDtype.ParseOrDefault(Dtype, device),
            Attention, Elementwise, Transfers)).ToArray();
    }

    /// <summary>The devices that <see cref="Devices"/> lists, in its order; null for <c>all</c>.</summary>
    public IReadOnlyList<string>? ListedDevices => IsAll ? null : DeviceNames();

    /// <summary>
    /// Loads libtorch for each device of <see cref="Devices"/> and checks that it sees the device, so that a worker
    /// without its GPU ends at start rather than failing every job it takes.
    /// </summary>
    /// <exception cref="ConfigurationException">A device libtorch cannot serve.</exception>
    public void EnsureDevicesAvailable()
    {
        foreach (InferenceSettings settings in ResolveDevices())
        {
            try
            {
                TorchRuntime.EnsureAvailable(settings.Device);
            }
            catch (InvalidOperationException e)
            {
                throw new ConfigurationException($"{SectionName}:{nameof(Devices)} is '{Devices}': {e.Message}", e);
            }
        }
    }

    private bool IsAll => Devices.Trim().Equals("all", StringComparison.OrdinalIgnoreCase);

    private string[] DeviceNames() => Devices.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Throws <see cref="ConfigurationException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (!IsAll)
        {
            if (DeviceNames().Length == 0)
                throw Invalid(nameof(Devices), $"'{Devices}'", "all or a list of cpu, cuda or cuda:N");
            foreach (string name in DeviceNames())
            {
                try
                {
                    TorchRuntime.ParseDevice(name);
                }
                catch (ArgumentException)
                {
                    throw Invalid(nameof(Devices), $"'{Devices}'", "all or a list of cpu, cuda or cuda:N");
                }
            }
        }
        if (Dtype is not null)
        {
            try
            {
                ModelDtype.Parse(Dtype);
            }
            catch (ArgumentException)
            {
                throw Invalid(nameof(Dtype), $"'{Dtype}'", string.Join(", ", ModelDtype.Names));
            }
        }
        if (BatchTokens < 8192)
            throw Invalid(nameof(BatchTokens), BatchTokens, "at least 8192 (one job)");
        if (BatchJobs < 1)
            throw Invalid(nameof(BatchJobs), BatchJobs, "at least 1");
        if (ConcurrentBatches < 1)
            throw Invalid(nameof(ConcurrentBatches), ConcurrentBatches, "at least 1");
        if (RetryAttempts < 0)
            throw Invalid(nameof(RetryAttempts), RetryAttempts, "at least 0");
        if (BatchTimeLimit <= TimeSpan.Zero)
            throw Invalid(nameof(BatchTimeLimit), BatchTimeLimit, "positive");
        if (BatchTimeout <= TimeSpan.Zero)
            throw Invalid(nameof(BatchTimeout), BatchTimeout, "positive");
        if (ShutdownGracePeriod < TimeSpan.Zero)
            throw Invalid(nameof(ShutdownGracePeriod), ShutdownGracePeriod, "at least 0");
    }

    private static ConfigurationException Invalid(string key, object value, string range) =>
        new($"{SectionName}:{key} is {value}; it must be {range}.");
}
