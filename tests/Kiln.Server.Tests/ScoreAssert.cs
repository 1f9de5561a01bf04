using System.Text.Json;

namespace Kiln.Server.Tests;

/// <summary>Compares served probabilities with the independently computed expected ones.</summary>
internal static class ScoreAssert
{
    public const double Tolerance = 1e-5;

    /// <summary>Checks per-row {"0": p0, "1": p1} maps against expected maps.</summary>
    public static void ProbabilityMapsEqual(JsonElement expected, IReadOnlyList<JsonElement> actual)
    {
        var rows = expected.EnumerateArray().ToArray();
        Assert.Equal(rows.Length, actual.Count);
        for (var r = 0; r < rows.Length; r++)
        {
            foreach (var property in rows[r].EnumerateObject())
            {
                Assert.True(Math.Abs(property.Value.GetDouble() - actual[r].GetProperty(property.Name).GetDouble()) < Tolerance,
                    $"row {r} class {property.Name}: expected {property.Value.GetDouble()}, got {actual[r].GetProperty(property.Name).GetDouble()}");
            }
        }
    }

    /// <summary>Checks a flat row-major [rows, classes] matrix against expected maps (classes "0", "1", …).</summary>
    public static void ProbabilityMatrixEquals(JsonElement expected, JsonElement flat)
    {
        var values = flat.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var rows = expected.EnumerateArray().ToArray();
        var classes = values.Length / rows.Length;
        for (var r = 0; r < rows.Length; r++)
        {
            for (var c = 0; c < classes; c++)
            {
                var want = rows[r].GetProperty(c.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetDouble();
                Assert.True(Math.Abs(want - values[(r * classes) + c]) < Tolerance, $"row {r} class {c}: expected {want}, got {values[(r * classes) + c]}");
            }
        }
    }
}
