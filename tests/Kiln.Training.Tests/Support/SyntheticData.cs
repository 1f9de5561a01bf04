using System.Globalization;
using System.Text;

namespace Kiln.Training.Tests.Support;

/// <summary>Small synthetic tables with a known signal, for tasks the bank data does not cover.</summary>
internal static class SyntheticData
{
    private static readonly string[] Colors = ["red", "green", "blue"];

    /// <summary>Three classes separated by x1, x2 and a color; some x2 values missing.</summary>
    public static string Multiclass(string path, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("x1,x2,color,species\n");
        for (var i = 0; i < rows; i++)
        {
            var species = random.Next(3);
            var x1 = (species * 2.0) + Normal(random);
            var x2 = i % 17 == 0 ? "" : (-species + Normal(random)).ToString("0.###", CultureInfo.InvariantCulture);
            var color = random.NextDouble() < 0.6 ? Colors[species] : Colors[random.Next(3)];
            text.Append(CultureInfo.InvariantCulture, $"{x1:0.###},{x2},{color},{(new[] { "setosa", "versicolor", "virginica" })[species]}\n");
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>y = 3·x1 − 2·x2 + 5·[color = blue] + noise.</summary>
    public static string Regression(string path, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("x1,x2,color,y\n");
        for (var i = 0; i < rows; i++)
        {
            var x1 = random.NextDouble() * 10;
            var x2 = random.NextDouble() * 5;
            var color = Colors[random.Next(3)];
            var y = (3 * x1) - (2 * x2) + (color == "blue" ? 5 : 0) + (Normal(random) * 0.5);
            text.Append(CultureInfo.InvariantCulture, $"{x1:0.####},{x2:0.####},{color},{y:0.####}\n");
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>
    /// A yes/no label from two numbers (one with gaps), an integer count and two categorical columns (one with gaps and a
    /// dozen categories): trees grown on it split on every kind of feature.
    /// </summary>
    public static string Binary(string path, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("x1,x2,count,shade,color,outcome\n");
        for (var i = 0; i < rows; i++)
        {
            var x1 = Normal(random) * 3;
            var x2 = random.NextDouble() * 100;
            var count = random.Next(0, 40);
            var shade = random.Next(12);
            var color = Colors[random.Next(3)];
            var signal = x1 + (x2 / 25) - (count / 10.0) + (shade % 4) - (color == "green" ? 2 : 0) + Normal(random);
            var x1Text = i % 13 == 0 ? "" : x1.ToString("0.####", CultureInfo.InvariantCulture);
            var shadeText = i % 11 == 0 ? "" : $"shade-{shade}";
            text.Append(CultureInfo.InvariantCulture, $"{x1Text},{x2:0.###},{count},{shadeText},{color},{(signal > 2 ? "yes" : "no")}\n");
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>An <see cref="IProgress{T}"/> that records reports synchronously (no synchronization context).</summary>
internal sealed class RecordingProgress<T> : IProgress<T>
{
    private readonly List<T> _reports = [];

    public IReadOnlyList<T> Reports
    {
        get
        {
            lock (_reports)
            {
                return _reports.ToArray();
            }
        }
    }

    public void Report(T value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }
    }
}
