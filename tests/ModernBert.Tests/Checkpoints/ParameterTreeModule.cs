using TorchSharp;
using static TorchSharp.torch;

namespace ModernBert.Tests.Checkpoints;

/// <summary>
/// A module whose parameters and buffers are given by dotted names, nested as submodules the way a real model nests
/// them. Parameters start as NaN, so a tensor the loader did not fill stands out.
/// </summary>
internal sealed class ParameterTreeModule : nn.Module
{
    private readonly Dictionary<string, ParameterTreeModule> _children = new(StringComparer.Ordinal);

    public ParameterTreeModule(IEnumerable<(string Name, long[] Shape)> parameters, ScalarType dtype) : this("root")
    {
        foreach ((string name, long[] shape) in parameters)
            AddParameter(name, full(shape, float.NaN, dtype));
    }

    private ParameterTreeModule(string name) : base(name)
    {
    }

    public void AddBuffer(string dottedName, Tensor buffer, bool persistent)
    {
        (ParameterTreeModule owner, string leaf) = Owner(dottedName);
        owner.register_buffer(leaf, buffer, persistent);
    }

    /// <summary>Every parameter and buffer by dotted name, converted to float32 on the CPU.</summary>
    public Dictionary<string, Tensor> Float32State() =>
        state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.detach().to(ScalarType.Float32, CPU));

    private void AddParameter(string dottedName, Tensor value)
    {
        (ParameterTreeModule owner, string leaf) = Owner(dottedName);
        owner.register_parameter(leaf, nn.Parameter(value));
    }

    private (ParameterTreeModule Owner, string Leaf) Owner(string dottedName)
    {
        int dot = dottedName.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
            return (this, dottedName);
        string childName = dottedName[..dot];
        if (!_children.TryGetValue(childName, out ParameterTreeModule? child))
        {
            child = new ParameterTreeModule(childName);
            _children.Add(childName, child);
            register_module(childName, child);
        }
        return child.Owner(dottedName[(dot + 1)..]);
    }
}
