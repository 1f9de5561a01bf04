using Kiln.Core.Packaging;
using Kiln.Monitoring.Sketches;
using Kiln.Monitoring.Statistics;
using Kiln.Monitoring.Tests.Sketches;

namespace Kiln.Monitoring.Tests.Statistics;

public sealed class DriftDetectorTests
{
    [Theory]
    [InlineData(800, DriftMethod.KolmogorovSmirnov)]
    [InlineData(5000, DriftMethod.Wasserstein)]
    public void Numeric_Auto_ChoosesByReferenceSize(int size, DriftMethod expected)
    {
        var drift = DriftDetector.Numeric("x", NumericDistribution.FromValues(Samples.Normal(1, size)), NumericDistribution.FromValues(Samples.Normal(2, 300)));

        Assert.Equal(expected, drift.Method);
        Assert.Equal(ColumnProfile.NumericKind, drift.Kind);
        Assert.Equal(size, drift.ReferenceCount);
        Assert.Equal(300, drift.CurrentCount);
    }

    [Theory]
    [InlineData(800, DriftMethod.ChiSquare)]
    [InlineData(5000, DriftMethod.JensenShannon)]
    public void Categorical_Auto_ChoosesByReferenceSize(int size, DriftMethod expected)
    {
        var reference = CategoryDistribution.FromValues(Enumerable.Range(0, size).Select(i => (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var current = CategoryDistribution.FromValues(["0", "1", "2", "2"]);

        Assert.Equal(expected, DriftDetector.Categorical("c", reference, current).Method);
    }

    [Fact]
    public void Numeric_FewDistinctValues_TestsAsCategories()
    {
        var reference = NumericDistribution.FromValues([.. Enumerable.Range(0, 600).Select(i => (double)(i % 3))]);
        var current = NumericDistribution.FromValues([.. Enumerable.Range(0, 300).Select(i => i % 4 == 0 ? 0.0 : 2.0)]);

        var drift = DriftDetector.Numeric("rating", reference, current);

        Assert.Equal(DriftMethod.ChiSquare, drift.Method);
        Assert.Equal(ColumnProfile.NumericKind, drift.Kind);
        Assert.True(drift.Drifted);
    }

    [Fact]
    public void Numeric_FewDistinctValuesFromProfileAndSketch_TestsAsCategories()
    {
        var values = Enumerable.Range(0, 5000).Select(i => (double)(i % 2)).ToArray();
        var reference = new ProfileSketch([ColumnSketch.CreateNumeric("flag")], 5000);
        var current = new ProfileSketch([ColumnSketch.CreateNumeric("flag")], 5000);
        foreach (var value in values)
        {
            reference.Columns[0].Numeric!.Add(value);
            current.Columns[0].Numeric!.Add(value);
        }

        var fromProfile = DriftDetector.Dataset(reference.ToDataProfile(), current).Features.Single();
        var fromSketch = DriftDetector.Dataset(reference, current).Features.Single();

        Assert.Equal(DriftMethod.JensenShannon, fromProfile.Method);
        Assert.Equal(DriftMethod.JensenShannon, fromSketch.Method);
        Assert.False(fromProfile.Drifted);
        Assert.Equal(0, fromSketch.Statistic, 12);
    }

    [Fact]
    public void Numeric_ForcedMethodAndThreshold_AreUsed()
    {
        var reference = NumericDistribution.FromValues(Samples.Normal(3, 2000));
        var current = NumericDistribution.FromValues(Samples.Normal(4, 2000, 0.05));

        var drift = DriftDetector.Numeric("x", reference, current, DriftMethod.Psi, threshold: 0.0001);

        Assert.Equal(DriftMethod.Psi, drift.Method);
        Assert.Equal(0.0001, drift.Threshold);
        Assert.Null(drift.PValue);
        Assert.True(drift.Drifted);
    }

    [Fact]
    public void Categorical_NumericOnlyMethod_Throws()
    {
        var values = CategoryDistribution.FromValues(["a"]);

        Assert.Throws<ArgumentException>(() => DriftDetector.Categorical("c", values, values, DriftMethod.KolmogorovSmirnov));
    }

    [Fact]
    public void Dataset_SameDistribution_MostlyDoesNotDrift()
    {
        var drifted = 0;
        for (var trial = 0; trial < 20; trial++)
        {
            var reference = ProfileSketchTests.Build(Samples.Normal(100 + trial, 5000), ["a", "b", "c", "b"]);
            var current = ProfileSketchTests.Build(Samples.Normal(200 + trial, 5000), ["b", "a", "b", "c"]);
            var raw = DriftDetector.Numeric("num", NumericDistribution.FromValues(Samples.Normal(100 + trial, 5000)), NumericDistribution.FromValues(Samples.Normal(200 + trial, 5000)));

            var result = DriftDetector.Dataset(reference.ToDataProfile(), current);

            drifted += result.Features.Count(f => f.Drifted) + (raw.Drifted ? 1 : 0);
        }

        Assert.True(drifted <= 2, $"{drifted} false alarms in 60 tests");
    }

    [Fact]
    public void Dataset_HalfStandardDeviationShift_Drifts()
    {
        var reference = ProfileSketchTests.Build(Samples.Normal(1, 5000, 10, 2), ["a", "b"]);
        var current = ProfileSketchTests.Build(Samples.Normal(2, 5000, 11, 2), ["a", "b"]);

        var fromProfile = DriftDetector.Dataset(reference.ToDataProfile(), current);
        var fromSketch = DriftDetector.Dataset(reference, current);
        var raw = DriftDetector.Numeric("num", NumericDistribution.FromValues(Samples.Normal(1, 5000, 10, 2)), NumericDistribution.FromValues(Samples.Normal(2, 5000, 11, 2)));

        Assert.True(raw.Drifted);
        Assert.InRange(raw.Statistic, 0.4, 0.6);
        foreach (var result in new[] { fromProfile, fromSketch })
        {
            var numeric = result.Features[0];
            Assert.Equal(DriftMethod.Wasserstein, numeric.Method);
            Assert.True(numeric.Drifted);
            Assert.InRange(numeric.Statistic - raw.Statistic, -0.02, 0.02);
            Assert.False(result.Features[1].Drifted);
            Assert.Equal(0.5, result.DriftedShare);
            Assert.True(result.Drifted);
        }
    }

    [Fact]
    public void Dataset_SmallShiftedReference_UsesKolmogorovSmirnov()
    {
        var reference = ProfileSketchTests.Build(Samples.Normal(1, 800), ["a", "b"]);
        var current = ProfileSketchTests.Build(Samples.Normal(2, 800, 0.5), ["a", "b", "b"]);

        var result = DriftDetector.Dataset(reference.ToDataProfile(), current, new DriftOptions { DatasetDriftShare = 0.9 });

        Assert.Equal(DriftMethod.KolmogorovSmirnov, result.Features[0].Method);
        Assert.True(result.Features[0].Drifted);
        Assert.Equal(DriftMethod.ChiSquare, result.Features[1].Method);
        Assert.True(result.Features[1].Drifted);
        Assert.True(result.Drifted);
    }

    [Fact]
    public void Dataset_MissingColumnAndOverride_SkipsAndOverrides()
    {
        var reference = ProfileSketchTests.Build(Samples.Normal(1, 2000), ["a", "b"]);
        var current = new ProfileSketch([ColumnSketch.CreateNumeric("num")], 100);
        foreach (var value in Samples.Normal(2, 100))
        {
            current.Columns[0].Numeric!.Add(value);
        }

        var options = new DriftOptions { FeatureMethods = new Dictionary<string, DriftMethod> { ["num"] = DriftMethod.KolmogorovSmirnov } };
        var result = DriftDetector.Dataset(reference, current, options);

        var feature = Assert.Single(result.Features);
        Assert.Equal(DriftMethod.KolmogorovSmirnov, feature.Method);
        Assert.NotNull(feature.PValue);
    }
}
