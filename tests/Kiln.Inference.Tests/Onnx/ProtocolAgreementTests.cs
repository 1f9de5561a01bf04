using System.Text;
using System.Text.Json.Nodes;
using Kiln.Inference.Decoding;
using Kiln.Inference.Tests.Support;

namespace Kiln.Inference.Tests.Onnx;

/// <summary>
/// The same golden cases sent through every protocol must give the scores the v2 tensor request
/// gives, bit for bit, and those must match expected.json. gbt_sklearn is imported with its feature
/// names, so its records name the bank columns; bank_columns' records name its inputs.
/// </summary>
public class ProtocolAgreementTests(OnnxModelsFixture models) : IClassFixture<OnnxModelsFixture>
{
    private static readonly string[] RecordProtocols = ["v1-records", "v2-columns", "mlflow-split", "mlflow-records", "mlflow-inputs", "csv"];
    private static readonly string[] RowProtocols = ["v1-instances", "v1-inputs", "mlflow-instances", "mlflow-inputs", "mlflow-split"];

    public static TheoryData<string, string, string> RecordCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var model in new[] { "gbt_sklearn", "bank_columns" })
        {
            foreach (var caseName in new[] { "batch", "single_row" })
            {
                foreach (var protocol in RecordProtocols)
                {
                    data.Add(model, caseName, protocol);
                }
            }
        }

        return data;
    }

    public static TheoryData<string, string, string> RowCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var model in new[] { "tree_classifier", "gbt_sklearn", "regressor" })
        {
            foreach (var caseName in new[] { "batch", "single_row" })
            {
                foreach (var protocol in RowProtocols)
                {
                    data.Add(model, caseName, protocol);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RecordCases))]
    public void Predict_CaseSentAsRecords_ScoresIdenticalToV2(string model, string caseName, string protocol)
    {
        var c = ExpectedCases.Get(model, caseName);
        var served = models.WithColumns(model);
        var layout = served.Layout;
        var v2 = served.Score(V2RequestDecoder.Decode(CaseRequests.V2Tensors(c, layout), layout));

        var request = protocol switch
        {
            "v1-records" => V1RequestDecoder.Decode(CaseRequests.V1Records(c, layout), layout),
            "v2-columns" => V2RequestDecoder.Decode(CaseRequests.V2Columns(c, layout), layout),
            "mlflow-split" => MlflowRequestDecoder.Decode(CaseRequests.MlflowSplit(c, layout), layout),
            "mlflow-records" => MlflowRequestDecoder.Decode(CaseRequests.MlflowRecords(c, layout), layout),
            "mlflow-inputs" => MlflowRequestDecoder.Decode(CaseRequests.MlflowInputsDictionary(c, layout), layout),
            "csv" => CsvRequestDecoder.Decode(CaseRequests.Csv(c, layout), layout),
            _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
        };
        var result = served.Score(request);

        ScoreAssert.MatchesExpected(c, served.Runtime.Signature, result);
        ScoreAssert.Identical(v2, result);
    }

    [Theory]
    [MemberData(nameof(RowCases))]
    public void Predict_CaseSentAsRowsOfTheSingleInput_ScoresIdenticalToV2(string model, string caseName, string protocol)
    {
        var c = ExpectedCases.Get(model, caseName);
        var served = models.Plain(model);
        var layout = served.Layout;
        var v2 = served.Score(V2RequestDecoder.Decode(CaseRequests.V2Tensors(c, layout), layout));
        var rows = c.Inputs[layout.Inputs[0].Spec.Name]!.ToJsonString();

        var request = protocol switch
        {
            "v1-instances" => V1RequestDecoder.Decode(Utf8($"{{\"instances\":{rows}}}"), layout),
            "v1-inputs" => V1RequestDecoder.Decode(Utf8($"{{\"inputs\":{rows}}}"), layout),
            "mlflow-instances" => MlflowRequestDecoder.Decode(Utf8($"{{\"instances\":{rows}}}"), layout),
            "mlflow-inputs" => MlflowRequestDecoder.Decode(Utf8($"{{\"inputs\":{rows}}}"), layout),
            "mlflow-split" => MlflowRequestDecoder.Decode(Utf8($"{{\"dataframe_split\":{{\"data\":{rows}}}}}"), layout),
            _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, null),
        };
        var result = served.Score(request);

        ScoreAssert.MatchesExpected(c, served.Runtime.Signature, result);
        ScoreAssert.Identical(v2, result);
    }

    [Fact]
    public void Predict_GbtColumnsInShuffledOrder_ScoresIdenticalToV2()
    {
        var c = ExpectedCases.Get("gbt_sklearn", "batch");
        var served = models.WithColumns("gbt_sklearn");
        var layout = served.Layout;
        var v2 = served.Score(V2RequestDecoder.Decode(CaseRequests.V2Tensors(c, layout), layout));
        var records = JsonNode.Parse(CaseRequests.V1Records(c, layout))!["instances"]!.AsArray();
        var reversed = new JsonArray(records.Select(r => (JsonNode?)new JsonObject(r!.AsObject().Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())))).ToArray());

        var result = served.Score(V1RequestDecoder.Decode(Utf8(new JsonObject { ["instances"] = reversed }.ToJsonString()), layout));

        ScoreAssert.Identical(v2, result);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
