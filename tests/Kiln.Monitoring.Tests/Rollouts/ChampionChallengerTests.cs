using System.Text.Json;
using Kiln.Monitoring.Rollouts;
using Kiln.Monitoring.Tests.Statistics;

namespace Kiln.Monitoring.Tests.Rollouts;

public sealed class ChampionChallengerTests
{
    private const string File = "rollouts_champion_challenger.json";

    public static TheoryData<string> CaseNames() => [.. Fixture.Cases(File, "cases").Select(c => c.Name())];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Compare_FixtureCase_MatchesScipyAndNumpyDeLong(string name)
    {
        var fixture = Fixture.Cases(File, "cases").Single(c => c.Name() == name);

        var report = ChampionChallenger.Compare(Predictions(fixture.GetProperty("champion")), Predictions(fixture.GetProperty("challenger")));

        AssertSummary(fixture.GetProperty("champion").GetProperty("expected"), report.Champion, "champion");
        AssertSummary(fixture.GetProperty("challenger").GetProperty("expected"), report.Challenger, "challenger");
        AssertDifference(fixture.GetProperty("accuracyDifference"), report.AccuracyDifference, "accuracy difference");
        Assert.NotNull(report.AucDifference);
        AssertDifference(fixture.GetProperty("aucDifference"), report.AucDifference, "AUC difference");
        Assert.Equal(NullableLong(fixture, "requiredLabelsPerVariant"), report.RequiredLabelsPerVariant);
        Assert.Equal(NullableLong(fixture, "additionalLabelsPerVariant"), report.AdditionalLabelsPerVariant);
    }

    [Fact]
    public void Compare_FixtureCases_CoverDecidedUndecidedAndTied()
    {
        var additional = Fixture.Cases(File, "cases").Select(c => NullableLong(c, "additionalLabelsPerVariant")).ToList();

        Assert.Contains(0L, additional);
        Assert.Contains(null, additional);
        Assert.Contains(additional, a => a > 0);
    }

    [Fact]
    public void Compare_NoScores_SkipsAuc()
    {
        bool[] actual = [true, false, true, false];
        bool[] predicted = [true, false, false, false];
        var variant = new VariantPredictions(actual, predicted, ReadOnlyMemory<double>.Empty);

        var report = ChampionChallenger.Compare(variant, variant);

        Assert.Null(report.Champion.Auc);
        Assert.Null(report.AucDifference);
        Assert.Equal(0.75, report.Champion.Accuracy);
        Assert.Null(report.RequiredLabelsPerVariant);
    }

    [Fact]
    public void Compare_MismatchedLengths_Throws()
    {
        var bad = new VariantPredictions(new[] { true, false }, new[] { true }, ReadOnlyMemory<double>.Empty);
        var good = new VariantPredictions(new[] { true }, new[] { true }, ReadOnlyMemory<double>.Empty);

        Assert.Throws<ArgumentException>(() => ChampionChallenger.Compare(good, bad));
    }

    [Fact]
    public void NormalQuantileAndSf_FixturePoints_MatchScipy()
    {
        foreach (var point in Fixture.Cases(File, "normalQuantile"))
        {
            Expect.Close(point.Number("x"), Normal.Quantile(point.Number("p")), 1e-12, $"ppf({point.Number("p")})");
        }

        foreach (var point in Fixture.Cases(File, "normalSf"))
        {
            Expect.Close(point.Number("sf"), Normal.Sf(point.Number("x")), 1e-12, $"sf({point.Number("x")})");
        }
    }

    private static VariantPredictions Predictions(JsonElement variant) => new(
        variant.Ints("actual").Select(v => v == 1).ToArray(),
        variant.Ints("predicted").Select(v => v == 1).ToArray(),
        variant.Doubles("scores"));

    private static void AssertSummary(JsonElement expected, VariantQualitySummary actual, string who)
    {
        Assert.Equal(expected.GetProperty("labelled").GetInt32(), actual.Labelled);
        Assert.Equal(expected.GetProperty("correct").GetInt32(), actual.Correct);
        Expect.Close(expected.Number("accuracy"), actual.Accuracy, what: $"{who} accuracy");
        Expect.Close(expected.Number("accuracyLower"), actual.AccuracyInterval.Lower, what: $"{who} Wilson lower");
        Expect.Close(expected.Number("accuracyUpper"), actual.AccuracyInterval.Upper, what: $"{who} Wilson upper");
        Expect.Close(expected.Number("auc"), actual.Auc!.Value, what: $"{who} AUC");
        Expect.Close(expected.Number("aucVariance"), actual.AucVariance!.Value, what: $"{who} DeLong variance");
        Expect.Close(expected.Number("aucLower"), actual.AucInterval!.Value.Lower, what: $"{who} AUC lower");
        Expect.Close(expected.Number("aucUpper"), actual.AucInterval!.Value.Upper, what: $"{who} AUC upper");
    }

    private static void AssertDifference(JsonElement expected, DifferenceEstimate actual, string what)
    {
        Expect.Close(expected.Number("estimate"), actual.Estimate, what: $"{what} estimate");
        Expect.Close(expected.Number("standardError"), actual.StandardError, what: $"{what} standard error");
        Expect.Close(expected.Number("lower"), actual.Interval.Lower, what: $"{what} lower");
        Expect.Close(expected.Number("upper"), actual.Interval.Upper, what: $"{what} upper");
        Expect.Close(expected.Number("z"), actual.Z, what: $"{what} z");
        Expect.Close(expected.Number("pValue"), actual.PValue, what: $"{what} p-value");
    }

    private static long? NullableLong(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetInt64();
}
