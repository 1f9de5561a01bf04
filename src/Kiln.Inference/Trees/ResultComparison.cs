using Kiln.Core.Tensors;

namespace Kiln.Inference.Trees;

/// <summary>Whether two runtimes' results agree: names, types, shapes and labels exactly, numbers to 1e-6 relative.</summary>
internal static class ResultComparison
{
    public const double Tolerance = 1e-6;

    /// <summary>Null when the results agree, else the first difference.</summary>
    public static string? Difference(InferenceResult expected, InferenceResult actual)
    {
        if (expected.Outputs.Count != actual.Outputs.Count)
        {
            return $"{actual.Outputs.Count} outputs instead of {expected.Outputs.Count}";
        }

        for (var i = 0; i < expected.Outputs.Count; i++)
        {
            var (e, a) = (expected.Outputs[i], actual.Outputs[i]);
            if (e.Name != a.Name || e.DataType != a.DataType || !e.Shape.AsSpan().SequenceEqual(a.Shape) || e.Length != a.Length)
            {
                return $"output '{e.Name}' is {a.DataType} [{string.Join(',', a.Shape)}] instead of {e.DataType} [{string.Join(',', e.Shape)}]";
            }

            if (!(e.Labels ?? []).SequenceEqual(a.Labels ?? []))
            {
                return $"output '{e.Name}' has other class labels";
            }

            for (var j = 0; j < e.Length; j++)
            {
                var same = e.DataType switch
                {
                    TensorDataType.Fp32 => Close(((float[])e.Data)[j], ((float[])a.Data)[j]),
                    TensorDataType.Fp64 => Close(((double[])e.Data)[j], ((double[])a.Data)[j]),
                    _ => Equals(e.Data.GetValue(j), a.Data.GetValue(j)),
                };
                if (!same)
                {
                    return $"output '{e.Name}' element {j} is {a.Data.GetValue(j)} instead of {e.Data.GetValue(j)}";
                }
            }
        }

        return null;
    }

    public static bool Close(double expected, double actual) =>
        expected.Equals(actual) || Math.Abs(expected - actual) <= Tolerance * Math.Max(Math.Abs(expected), Math.Abs(actual)) + 1e-12;
}
