using System.Globalization;
using Kiln.Cli.Monitoring;
using Kiln.Monitoring.Statistics;
using Kiln.Training.Data;
using Kiln.Training.Demo;
using Xunit.Abstractions;

namespace Kiln.Monitoring.Tests.Drift;

/// <summary>
/// Offline drift (<c>kiln monitor drift --reference --current</c>) on the Bank Marketing demo data: the segment that
/// <c>kiln demo data --drift</c> adds is caught, and fresh samples of the training population raise few false alarms.
/// The measured rates are printed; the docs quote them.
/// </summary>
public sealed class DemoDriftTests(ITestOutputHelper output) : IDisposable
{
    private const int ReferenceRows = 10_000;
    private const int CurrentRows = 2_000;
    private const int Seeds = 40;

    // What BankMarketingSampler shifts with drift: older, wealthier, longer calls, more cellular, another job mix.
    private static readonly string[] Shifted = ["age", "balance", "duration", "contact", "job"];

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kiln-demo-drift", Guid.NewGuid().ToString("N"));

    private async Task<TabularData> LoadAsync(int rows, int seed, double drift)
    {
        var path = BankMarketingGenerator.WriteFile(Path.Combine(_folder, $"bank-{rows}-{seed}-{drift.ToString(CultureInfo.InvariantCulture)}.csv"), rows, seed, drift);
        return await TabularReader.LoadAsync(path, [BankMarketingGenerator.LabelColumn]);
    }

    private void Print(string title, DatasetDrift drift)
    {
        output.WriteLine(title);
        foreach (var f in drift.Features)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {f.Name,-10} {f.Kind,-11} {f.Method,-17} stat={f.Statistic:0.0000} p={f.PValue?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "-",-6} threshold={f.Threshold} drifted={f.Drifted}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dataset drifted={drift.Drifted} share={drift.DriftedShare:0.000}"));
    }

    [Theory]
    [InlineData(1.0, new[] { "age", "balance", "duration", "job" })]
    [InlineData(2.0, new[] { "age", "balance", "duration", "job", "contact" })]
    public async Task Compare_DemoDriftedSegment_FlagsTheShiftedFeaturesAndTheDataset(double shift, string[] flagged)
    {
        var reference = await LoadAsync(ReferenceRows, seed: 0, drift: 0);
        var current = await LoadAsync(CurrentRows, seed: 1000, drift: shift);

        var drift = TabularDrift.Compare(reference, current, DriftOptions.Default);
        var lowerShare = TabularDrift.Compare(reference, current, new DriftOptions { DatasetDriftShare = 0.25 });
        var shiftedOnly = TabularDrift.Compare(reference, current, DriftOptions.Default, Shifted);

        Print(string.Create(CultureInfo.InvariantCulture, $"Reference {ReferenceRows} rows (seed 0) vs {CurrentRows} rows (seed 1000, --drift {shift}), defaults:"), drift);
        Assert.Equal(16, drift.Features.Count);
        Assert.Equal(flagged.Order(StringComparer.Ordinal), drift.Features.Where(f => f.Drifted).Select(f => f.Name).Order(StringComparer.Ordinal));

        // 4-5 of 16 features shift: below the default dataset share of 0.5, so the dataset verdict needs a lower
        // --drift-share, or --columns naming the features that matter.
        Assert.False(drift.Drifted);
        Assert.True(lowerShare.Drifted);
        Assert.True(shiftedOnly.Drifted);
    }

    [Fact]
    public async Task Compare_FreshSamplesOfTheTrainingPopulation_RarelyAlarm()
    {
        var reference = await LoadAsync(ReferenceRows, seed: 0, drift: 0);
        var smallReference = await LoadAsync(1_000, seed: 0, drift: 0);
        var distances = new Alarms();
        var tests = new Alarms();
        for (var seed = 1; seed <= Seeds; seed++)
        {
            var current = await LoadAsync(CurrentRows, seed, drift: 0);
            distances.Add(TabularDrift.Compare(reference, current, DriftOptions.Default));
            tests.Add(TabularDrift.Compare(smallReference, current, DriftOptions.Default));
        }

        output.WriteLine(distances.Describe($"Reference {ReferenceRows} rows (auto: Wasserstein / Jensen-Shannon, threshold 0.1)"));
        output.WriteLine(tests.Describe("Reference 1000 rows (auto: KS / chi-square, p < 0.05)"));
        Assert.True(distances.FeatureRate <= 0.10, $"feature false alarms {distances.FeatureRate:P1}");
        Assert.True(distances.DatasetRate(0.5) <= 0.05, $"dataset false alarms {distances.DatasetRate(0.5):P1}");
        Assert.True(distances.DatasetRate(0.3) <= 0.05, $"dataset false alarms at share 0.3 {distances.DatasetRate(0.3):P1}");
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>False alarms over seeds: every flagged feature and every seed whose share would call dataset drift.</summary>
    private sealed class Alarms
    {
        private readonly List<DatasetDrift> _runs = [];

        public double FeatureRate => (double)_runs.Sum(r => r.Features.Count(f => f.Drifted)) / _runs.Sum(r => r.Features.Count);

        public void Add(DatasetDrift drift) => _runs.Add(drift);

        public double DatasetRate(double share) => (double)_runs.Count(r => r.DriftedShare >= share) / _runs.Count;

        public string Describe(string title)
        {
            var flagged = _runs.SelectMany(r => r.Features).Where(f => f.Drifted).GroupBy(f => f.Name).Select(g => $"{g.Key}×{g.Count()}");
            var features = _runs.Sum(r => r.Features.Count);
            return string.Create(CultureInfo.InvariantCulture,
                $"""
                {title} vs {Seeds} fresh samples of {CurrentRows} rows (seeds 1..{Seeds}, drift 0), 16 features each:
                  feature false alarms: {_runs.Sum(r => r.Features.Count(f => f.Drifted))} of {features} = {FeatureRate:P2} ({string.Join(", ", flagged)})
                  dataset false alarms: share 0.5: {DatasetRate(0.5):P1}, share 0.3: {DatasetRate(0.3):P1}, max share {_runs.Max(r => r.DriftedShare):0.000}
                """);
        }
    }
}
