namespace Kiln.ReportBench;

/// <summary>
/// Bank-shaped traffic for the gbt model's 7 numeric features (age, balance, day, duration, campaign,
/// pdays, previous), a positive-class score that depends on them, and a label drawn from that score,
/// so the quality metrics are neither trivial nor random. From <see cref="DriftFromMinute"/> on, age
/// and balance shift, so the drift report has something to find.
/// </summary>
public sealed class Traffic(int seed, int driftFromMinute = int.MaxValue)
{
    public const int Features = 7;

    private readonly Random _random = new(seed);

    public int DriftFromMinute { get; } = driftFromMinute;

    /// <summary>Fills <paramref name="features"/> ([rows, 7]) and <paramref name="scores"/> for minute <paramref name="minute"/>.</summary>
    public void Fill(int minute, float[] features, float[] scores, bool[] actual)
    {
        var drifted = minute >= DriftFromMinute;
        for (var r = 0; r < scores.Length; r++)
        {
            var row = features.AsSpan(r * Features, Features);
            row[0] = _random.Next(18, 95) + (drifted ? 8 : 0);
            row[1] = MathF.Round((float)((_random.NextDouble() * 12_000) - 2_000)) + (drifted ? 1_500 : 0);
            row[2] = _random.Next(1, 32);
            row[3] = _random.Next(0, 3_000);
            row[4] = _random.Next(1, 20);
            row[5] = _random.Next(10) < 8 ? -1 : _random.Next(1, 400);
            row[6] = _random.Next(0, 10);
            var logit = -3.0 + (row[3] / 600.0) + (row[5] > 0 ? 1.0 : 0.0) + (0.1 * row[6]) - (0.05 * row[4]) + ((_random.NextDouble() - 0.5) * 2);
            var score = 1 / (1 + Math.Exp(-logit));
            scores[r] = (float)score;
            actual[r] = _random.NextDouble() < score;
        }
    }
}
