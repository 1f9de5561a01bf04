using Kiln.Core.Tensors;
using Xunit;

namespace Kiln.Inference.Tests.Trees;

/// <summary>Compares two model results: names, types, shapes and labels exactly, floats to 1e-6 relative.</summary>
internal static class TreeAssert
{
    public static void Equal(InferenceResult expected, InferenceResult actual, string context)
    {
        Assert.Equal(expected.Outputs.Count, actual.Outputs.Count);
        for (var i = 0; i < expected.Outputs.Count; i++)
        {
            var e = expected.Outputs[i];
            var a = actual.Outputs[i];
            var where = $"{context}, output '{e.Name}'";
            Assert.True(e.Name == a.Name, $"{where}: named '{a.Name}'");
            Assert.True(e.DataType == a.DataType, $"{where}: {a.DataType} instead of {e.DataType}");
            Assert.True(e.Shape.SequenceEqual(a.Shape), $"{where}: shape [{string.Join(',', a.Shape)}] instead of [{string.Join(',', e.Shape)}]");
            Assert.True((e.Labels ?? []).SequenceEqual(a.Labels ?? []), $"{where}: labels [{string.Join(',', a.Labels ?? [])}] instead of [{string.Join(',', e.Labels ?? [])}]");
            for (var j = 0; j < e.Length; j++)
            {
                switch (e.DataType)
                {
                    case TensorDataType.Fp32:
                        var x = ((float[])e.Data)[j];
                        var y = ((float[])a.Data)[j];
                        var close = x.Equals(y) || Math.Abs(x - y) <= 1e-6 * Math.Max(Math.Abs(x), Math.Abs(y)) + 1e-12;
                        Assert.True(close, $"{where}[{j}]: {y:R} instead of {x:R}");
                        break;
                    case TensorDataType.Int64:
                        Assert.True(((long[])e.Data)[j] == ((long[])a.Data)[j], $"{where}[{j}]: {((long[])a.Data)[j]} instead of {((long[])e.Data)[j]}");
                        break;
                    default:
                        Assert.True(Equals(e.Data.GetValue(j), a.Data.GetValue(j)), $"{where}[{j}]: {a.Data.GetValue(j)} instead of {e.Data.GetValue(j)}");
                        break;
                }
            }
        }
    }
}
