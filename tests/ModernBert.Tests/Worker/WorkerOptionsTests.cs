using ModernBert.Modeling;
using Microsoft.Extensions.DependencyInjection;
using ModernBert.Inference;
using ModernBert.Worker;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Worker;

/// <summary>The <c>Worker</c> section decides how the worker's model runs, through the services WorkerServices registers.</summary>
public sealed class WorkerOptionsTests
{
    [Fact]
    public void ByDefaultTheModelUsesTheAutomaticAttention_AutomaticKernels_AndOverlappedTransfers()
    {
        using ServiceProvider provider = WorkerTestServices.Create();

        InferenceSettings settings = provider.GetRequiredService<DeviceLoops>().All[0].Models.Settings;

        Assert.Equal((DeviceType.CPU, ScalarType.Float32), (settings.Device.type, settings.Dtype));
        Assert.Equal((AttentionImplementation.Auto, ElementwiseImplementation.Auto, TransferMode.Overlapped),
            (settings.Attention, settings.Elementwise, settings.Transfers));
    }

    [Fact]
    public void TheWorkerSectionChoosesTheAttention_TheKernels_AndTheTransfers()
    {
        using ServiceProvider provider = WorkerTestServices.Create(
            ("Worker:Dtype", "bf16"), ("Worker:Attention", "Sdpa"), ("Worker:Elementwise", "Native"), ("Worker:Transfers", "Synchronous"));

        InferenceSettings settings = provider.GetRequiredService<DeviceLoops>().All[0].Models.Settings;

        Assert.Equal(ScalarType.BFloat16, settings.Dtype);
        Assert.Equal((AttentionImplementation.Sdpa, ElementwiseImplementation.Native, TransferMode.Synchronous),
            (settings.Attention, settings.Elementwise, settings.Transfers));
    }

    [Theory]
    [InlineData("fp8", ScalarType.BFloat16, true)]
    [InlineData("bfloat16", ScalarType.BFloat16, false)]
    [InlineData("fp16", ScalarType.Float16, false)]
    public void WorkerDtypeNamesTheModelsDtype_Fp8WithItsLinearLayersInFloat8(string name, ScalarType tensors, bool fp8Linears)
    {
        using ServiceProvider provider = WorkerTestServices.Create(("Worker:Dtype", name));

        InferenceSettings settings = provider.GetRequiredService<DeviceLoops>().All[0].Models.Settings;

        Assert.Equal(new ModelDtype(tensors, fp8Linears), settings.Dtype);
    }

    [Fact]
    public void AnUnknownWorkerDtypeIsRefusedWithTheNamesItTakes()
    {
        var error = Assert.Throws<ConfigurationException>(new WorkerOptions { Dtype = "fp4" }.Validate);

        Assert.Contains("fp32, fp16, bf16, fp8", error.Message, StringComparison.Ordinal);
    }
}
