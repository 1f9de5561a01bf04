using System.Collections;
using System.Text.Json.Nodes;
using Kiln.Core.Packaging;
using Kiln.Core.Tensors;

namespace Kiln.Inference.Tests.Support;

/// <summary>Compares model outputs with the golden values of expected.json, and with each other.</summary>
internal static class ScoreAssert
{
    /// <summary>expected.json agrees with onnxruntime to about 1e-7; this leaves room for float32 sums.</summary>
    public const double Tolerance = 1e-5;

    public static void MatchesExpected(ExpectedCase c, ModelSignature signature, InferenceResult result)
    {
        var expectedNames = c.Outputs.Select(p => p.Key).Where(k => !k.EndsWith(ExpectedCases.MatrixSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(expectedNames, result.Outputs.Select(o => o.Name).Order(StringComparer.Ordinal));
        foreach (var tensor in result.Outputs)
        {
            var spec = signature.FindOutput(tensor.Name);
            Assert.NotNull(spec);
            JsonNode expected;
            if (spec.Kind == TensorSpec.ProbabilityMapKind)
            {
                // ZipMap: rows of {"class": p}; Kiln serves them as a matrix labelled with the class ids.
                expected = c.Outputs[tensor.Name + ExpectedCases.MatrixSuffix]!;
                var classIds = c.Outputs[tensor.Name]![0]!.AsObject().Select(p => p.Key);
                Assert.Equal(classIds, tensor.Labels);
            }
            else
            {
                expected = c.Outputs[tensor.Name]!;
                Assert.Null(tensor.Labels);
            }

            Assert.Equal(Json.ShapeOf(expected), tensor.Shape);
            var leaves = Json.Leaves(expected).ToArray();
            Assert.Equal(leaves.Length, tensor.Length);
            for (var i = 0; i < leaves.Length; i++)
            {
                AssertElement(c, tensor, i, leaves[i]);
            }
        }
    }

    /// <summary>Two results of the same model and case must agree bit for bit, whatever protocol carried the input.</summary>
    public static void Identical(InferenceResult expected, InferenceResult actual)
    {
        Assert.Equal(expected.Outputs.Select(o => o.Name), actual.Outputs.Select(o => o.Name));
        for (var o = 0; o < expected.Outputs.Count; o++)
        {
            var e = expected.Outputs[o];
            var a = actual.Outputs[o];
            Assert.Equal(e.DataType, a.DataType);
            Assert.Equal(e.Shape, a.Shape);
            Assert.Equal(e.Labels, a.Labels);
            Assert.Equal(e.Length, a.Length);
            Assert.Equal(Elements(e), Elements(a));
        }
    }

    public static IEnumerable<object> Elements(Tensor tensor) => ((IEnumerable)tensor.Data).Cast<object>().Take(tensor.Length);

    private static void AssertElement(ExpectedCase c, Tensor tensor, int i, JsonNode expected)
    {
        var where = $"{c} {tensor.Name}[{i}]";
        switch (tensor.Data)
        {
            case float[] floats:
                AssertClose(where, expected.GetValue<double>(), floats[i]);
                break;
            case double[] doubles:
                AssertClose(where, expected.GetValue<double>(), doubles[i]);
                break;
            case long[] longs:
                Assert.True(expected.GetValue<long>() == longs[i], $"{where}: expected {expected.ToJsonString()}, got {longs[i]}");
                break;
            case string[] strings:
                Assert.True(expected.GetValue<string>() == strings[i], $"{where}: expected {expected.ToJsonString()}, got '{strings[i]}'");
                break;
            default:
                Assert.Fail($"{where}: unexpected element type {tensor.Data.GetType().Name}");
                break;
        }
    }

    private static void AssertClose(string where, double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{where}: expected {expected:R}, got {actual:R}");
}
