using ModernBert.Documents;
using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Inference;

/// <summary>
/// Runs a CUDA model a few times on batches of three different sizes before real work: TorchScript specializes its
/// fused kernels on the first two shapes it sees and compiles shape-generic ones on the third, and that compilation
/// (hundreds of milliseconds) should not land on the first jobs, nor on benchmark figures. Nothing to do on the CPU.
/// </summary>
public static class ModelWarmup
{
    public static void Run(IInferenceModel model, Device device, int batchTokens)
    {
        if (device.type != DeviceType.CUDA)
            return;
        var random = new Random(0);
        foreach (int tokens in new[] { batchTokens / 4, batchTokens / 2 + 512, batchTokens })
        {
            var chunks = new List<DocumentChunk>();
            for (int total = 0; total + 16 <= tokens;)
            {
                int length = Math.Min(tokens - total, Math.Min(random.Next(16, 1024), model.Config.MaxPositionEmbeddings));
                chunks.Add(new DocumentChunk($"warmup-{chunks.Count}", 0, 0, length,
                    Enumerable.Range(0, length).Select(_ => random.Next(5, model.Config.VocabSize - 100)).ToArray()));
                total += length;
            }
            using IPendingRows rows = model.Start(chunks);
            rows.Complete();
        }
    }
}
