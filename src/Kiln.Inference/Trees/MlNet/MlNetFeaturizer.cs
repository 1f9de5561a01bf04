using System.Runtime.CompilerServices;
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
    private const int MemoSlots = 64;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: optimised from its first call
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

        // Values of a column repeat, mostly as the same string instances (the batch reader shares them): a small
        // direct-mapped memo of the last lookups answers most rows with one reference comparison.
        Span<int> memoPosition = stackalloc int[MemoSlots];
        var memo = new string?[MemoSlots];
        for (var s = 0; s < _categoryPosition.Length; s++)
        {
            var values = columns.Categorical[s].AsSpan(first, count);
            var positions = _categoryPosition[s];
            Array.Clear(memo);
            for (var r = 0; r < values.Length; r++)
            {
                if (values[r] is not { Length: > 0 } category)
                {
                    continue;
                }

                var slot = (category.Length * 31 + category[0] * 7 + category[^1]) & (MemoSlots - 1);
                int position;
                if (ReferenceEquals(memo[slot], category) || string.Equals(memo[slot], category, StringComparison.Ordinal))
                {
                    position = memoPosition[slot];
                }
                else
                {
                    position = positions.TryGetValue(category, out var found) ? found : -1;
                    memo[slot] = category;
                    memoPosition[slot] = position;
                }

                if (position >= 0)
                {
                    features[r * width + position] = 1f;
                }
            }
        }
    }
}
