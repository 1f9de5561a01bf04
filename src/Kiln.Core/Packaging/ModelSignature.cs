namespace Kiln.Core.Packaging;

/// <summary>What a model takes and gives: named, typed tensors.</summary>
/// <param name="Inputs">The inputs, in the model's order.</param>
/// <param name="Outputs">The outputs, in the model's order.</param>
public sealed record ModelSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs)
{
    /// <summary>Finds an input by name (ordinal), or null.</summary>
    public TensorSpec? FindInput(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    /// <summary>Finds an output by name (ordinal), or null.</summary>
    public TensorSpec? FindOutput(string name) => Outputs.FirstOrDefault(o => o.Name == name);
}
