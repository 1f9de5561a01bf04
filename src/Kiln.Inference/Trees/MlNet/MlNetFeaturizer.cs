using Kiln.Inference.MlNet;

namespace Kiln.Inference.Trees.MlNet;

/// <summary>
/// The feature vector an mlnet model's trees read, computed without ML.NET: each numeric input at its own
/// position (a missing value, NaN, replaced by the training mean ML.NET learned), and each categorical input as
/// one-hot indicators over the (input, category) pairs ML.NET kept; an unseen or empty category sets none.
/// Built by <see cref="MlNetFeaturizerProbe"/> from the model's own featurizing transforms.
/// </summary>
internal sealed class MlNetFeaturizer
{
    private readonly int[] _numericPosition;
    private readonly float[] _missingFill;
    private readonly Dictionary<string, int>[] _categoryPosition;

    public MlNetFeaturizer(int width, int[] numericPosition, float[] missingFill, Dictionary<string, int>[] categoryPosition)
    {
        Width = width;
        _numericPosition = numericPosition;
        _missingFill = missingFill;
        _categoryPosition = categoryPosition;
    }

    /// <summary>Features per row.</summary>
    public int Width { get; }

    /// <summary>How many (categorical input, category) pairs have an indicator.</summary>
    public int Indicators => _categoryPosition.Sum(c => c.Count);

    /// <summary>Writes rows <paramref name="first"/> .. <paramref name="first"/> + <paramref name="count"/> of <paramref name="columns"/> into <paramref name="features"/> ([count, Width]).</summary>
    public void Fill(BatchColumns columns, int first, int count, Span<float> features)
    {
        var width = Width;
        features[..(count * width)].Clear();
        for (var s = 0; s < _numericPosition.Length; s++)
        {
            var values = columns.Numeric[s].AsSpan(first, count);
            var position = _numericPosition[s];
            var fill = _missingFill[s];
            for (var r = 0; r < values.Length; r++)
            {
                var value = values[r];
                features[r * width + position] = float.IsNaN(value) ? fill : value;
            }
        }

        for (var s = 0; s < _categoryPosition.Length; s++)
        {
            var values = columns.Categorical[s].AsSpan(first, count);
            var positions = _categoryPosition[s];
            for (var r = 0; r < values.Length; r++)
            {
                if (values[r] is { } category && positions.TryGetValue(category, out var position))
                {
                    features[r * width + position] = 1f;
                }
            }
        }
    }
}
