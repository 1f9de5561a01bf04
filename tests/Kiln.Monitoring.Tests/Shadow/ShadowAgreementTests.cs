using Kiln.Core.Tensors;
using Kiln.Monitoring.Shadow;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Monitoring.Tests.Shadow;

public sealed class ShadowAgreementTests
{
    private static InferenceResult Outputs(float[] positive)
    {
        var rows = positive.Length;
        var probabilities = new float[rows * 2];
        var labels = new string[rows];
        for (var r = 0; r < rows; r++)
        {
            probabilities[(r * 2) + 1] = positive[r];
            probabilities[r * 2] = 1 - positive[r];
            labels[r] = positive[r] > 0.5f ? "yes" : "no";
        }

        return new InferenceResult([
            new Tensor("label", TensorDataType.Bytes, [rows], labels, rows),
            new Tensor("probabilities", TensorDataType.Fp32, [rows, 2], probabilities, probabilities.Length) { Labels = ["no", "yes"] },
        ]);
    }

    [Fact]
    public void Read_TwoMinutes_AgreementAndDifferencesOverallAndPerWindow()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var agreement = new ShadowAgreement(time);
        var start = time.GetUtcNow();

        agreement.Record("bank", "bank", 2, Outputs([0.9f, 0.2f, 0.6f, 0.1f]), Outputs([0.8f, 0.3f, 0.4f, 0.1f]), 4);
        time.Advance(TimeSpan.FromMinutes(1));
        agreement.Record("bank", "bank", 2, Outputs([0.7f, 0.7f]), Outputs([0.7f, 0.9f]), 2);

        var overall = Assert.Single(agreement.Read("bank", start));
        var windows = agreement.Read("bank", start, TimeSpan.FromMinutes(1));

        Assert.Equal(6, overall.Rows);
        Assert.Equal(5.0 / 6, overall.LabelAgreement!.Value, 12);
        Assert.Equal(((-0.1) + 0.1 - 0.2 + 0 + 0 + 0.2) / 6, overall.MeanScoreDifference!.Value, 6);
        Assert.Equal([4L, 2L], windows.Select(w => w.Rows));
        Assert.Equal(0.75, windows[0].LabelAgreement!.Value, 12);
        Assert.Equal(1.0, windows[1].LabelAgreement!.Value, 12);
        Assert.Equal(start.AddMinutes(1), windows[1].Since);
        Assert.Empty(agreement.Read("other", start));
    }
}
