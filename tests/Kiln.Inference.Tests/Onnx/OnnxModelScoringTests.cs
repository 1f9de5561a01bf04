using Kiln.Inference.Decoding;
using Kiln.Inference.Tests.Support;

namespace Kiln.Inference.Tests.Onnx;

/// <summary>Every golden case of expected.json, imported and loaded as the server does, scored through the v2 decoder.</summary>
public class OnnxModelScoringTests(OnnxModelsFixture models) : IClassFixture<OnnxModelsFixture>
{
    public static TheoryData<string, string> Cases => ExpectedCases.All();

    [Fact]
    public void ExpectedJson_CoversEveryScorableModel_FourModelsTwoCasesEach()
    {
        Assert.Equal(["tree_classifier", "gbt_sklearn", "bank_columns", "regressor"], ExpectedCases.Models);
        Assert.Equal(8, Cases.Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Predict_V2NestedRequestFromCase_MatchesExpectedOutputs(string model, string caseName)
    {
        var c = ExpectedCases.Get(model, caseName);
        var served = models.Plain(model);

        var request = V2RequestDecoder.Decode(CaseRequests.V2Tensors(c, served.Layout), served.Layout);
        var result = served.Score(request);

        ScoreAssert.MatchesExpected(c, served.Runtime.Signature, result);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Predict_V2FlatRequestFromCase_MatchesExpectedOutputs(string model, string caseName)
    {
        var c = ExpectedCases.Get(model, caseName);
        var served = models.Plain(model);

        var request = V2RequestDecoder.Decode(CaseRequests.V2Tensors(c, served.Layout, flat: true), served.Layout);
        var result = served.Score(request);

        ScoreAssert.MatchesExpected(c, served.Runtime.Signature, result);
    }

    [Fact]
    public void Predict_V2RequestAsksForOneOutput_ReturnsOnlyThatOutput()
    {
        var c = ExpectedCases.Get("tree_classifier", "batch");
        var served = models.Plain("tree_classifier");
        var body = System.Text.Encoding.UTF8.GetString(CaseRequests.V2Tensors(c, served.Layout));
        body = body[..^1] + ",\"outputs\":[{\"name\":\"output_probability\"}]}";

        var request = V2RequestDecoder.Decode(System.Text.Encoding.UTF8.GetBytes(body), served.Layout);
        var result = served.Score(request);

        var output = Assert.Single(result.Outputs);
        Assert.Equal("output_probability", output.Name);
        Assert.Equal(["0", "1", "2"], output.Labels);
        Assert.Equal([9L, 3L], output.Shape);
    }
}
