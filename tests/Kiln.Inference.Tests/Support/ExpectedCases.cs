using System.Text.Json.Nodes;

namespace Kiln.Inference.Tests.Support;

/// <summary>
/// The golden cases of expected.json (tools/onnx/make_test_models.py): per model a list of
/// <c>{name, inputs, outputs}</c>, inputs as nested lists per graph input, outputs per graph output,
/// ZipMap outputs also as <c>&lt;output&gt;_matrix</c>.
/// </summary>
internal static class ExpectedCases
{
    private static readonly Lazy<JsonObject> Document = new(() =>
        JsonNode.Parse(File.ReadAllText(TestModels.PathOf("expected.json")))!.AsObject());

    public const string MatrixSuffix = "_matrix";

    /// <summary>Every model in expected.json.</summary>
    public static IEnumerable<string> Models => Document.Value.Select(p => p.Key);

    /// <summary>(model, case name) for every case, as xunit member data.</summary>
    public static TheoryData<string, string> All()
    {
        var data = new TheoryData<string, string>();
        foreach (var (model, cases) in Document.Value)
        {
            foreach (var c in cases!.AsArray())
            {
                data.Add(model, (string)c!["name"]!);
            }
        }

        return data;
    }

    public static ExpectedCase Get(string model, string name)
    {
        var found = Document.Value[model]!.AsArray().Single(c => (string)c!["name"]! == name)!;
        return new ExpectedCase(model, name, found["inputs"]!.AsObject(), found["outputs"]!.AsObject());
    }
}

/// <summary>One golden case: graph inputs and expected outputs, as JSON.</summary>
internal sealed record ExpectedCase(string Model, string Name, JsonObject Inputs, JsonObject Outputs)
{
    public int Rows => Inputs.First().Value!.AsArray().Count;

    public override string ToString() => $"{Model}/{Name}";
}
