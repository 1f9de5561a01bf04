using Kiln.Core.Tensors;

namespace Kiln.Core.Packaging;

/// <summary>One named, typed input or output of a model.</summary>
/// <param name="Name">The tensor's name in the model graph.</param>
/// <param name="DataType">The element type.</param>
/// <param name="Shape">The dimensions; -1 marks a dynamic one (usually the batch).</param>
public sealed record TensorSpec(string Name, TensorDataType DataType, IReadOnlyList<long> Shape)
{
    /// <summary>
    /// Names of the columns of a 2-D input <c>[N, k]</c>, so that record-style requests
    /// (<c>{"age": 41, ...}</c>) map onto it. Null when the input is not tabular.
    /// </summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>
    /// For outputs: <c>probability_map</c> when the model returns a sequence of maps
    /// (scikit-learn's ZipMap), which Kiln serves as an FP32 <c>[N, classes]</c> matrix with class labels.
    /// </summary>
    public string? Kind { get; init; }

    /// <summary>The <see cref="Kind"/> of an output served as class probabilities.</summary>
    public const string ProbabilityMapKind = "probability_map";
}
