using System.Text.Json.Nodes;
using Kiln.Pipelines.Expressions;

namespace Kiln.Pipelines.Tests.Expressions;

public sealed class ExpressionTests
{
    private static readonly Scope Values = new(JsonNode.Parse("""
        {
          "params": { "model": "bank", "min_gain": 0.01, "trials": 6, "dry": false, "empty": "" },
          "steps": { "evaluate": { "outputs": { "passed": true, "gain": 0.02, "p_value": 0.003 } } },
          "trigger": { "kind": "alert", "rule": "drift", "deployment": null }
        }
        """)!.AsObject());

    [Theory]
    [InlineData("steps.evaluate.outputs.passed", true)]
    [InlineData("steps.evaluate.outputs.passed == true", true)]
    [InlineData("!steps.evaluate.outputs.passed", false)]
    [InlineData("steps.evaluate.outputs.gain >= params.min_gain", true)]
    [InlineData("steps.evaluate.outputs.gain > 0.5 || params.trials == 6", true)]
    [InlineData("steps.evaluate.outputs.p_value < 0.05 && !params.dry", true)]
    [InlineData("trigger.kind == 'alert' && trigger.rule != 'quality'", true)]
    [InlineData("trigger.deployment == null", true)]
    [InlineData("trigger.missing == null", true)]
    [InlineData("params.trials == '6'", false)]
    [InlineData("params.empty", false)]
    [InlineData("(params.trials > 5) && (params.model == 'bank')", true)]
    [InlineData("'it''s' == 'it''s'", true)]
    [InlineData("-1 < 0", true)]
    [InlineData("1e3 == 1000", true)]
    [InlineData("'a' < 'b'", true)]
    public void Evaluate_ComparesAndCombines(string text, bool expected)
    {
        var value = ExpressionEvaluator.Evaluate(ExpressionParser.Parse(text), Values);
        Assert.Equal(expected, ExpressionEvaluator.IsTruthy(value));
    }

    [Fact]
    public void Evaluate_OrderingAcrossTypes_NamesTheOperatorAndTypes()
    {
        var error = Assert.Throws<ExpressionException>(() => ExpressionEvaluator.Evaluate(ExpressionParser.Parse("params.model < 3"), Values));
        Assert.Contains("'<' compares two numbers or two strings, not a string and a number", error.Message);
        Assert.Equal(13, error.Column);
    }

    [Theory]
    [InlineData("", "the expression is empty", 0)]
    [InlineData("a ==", "the expression ends where a value was expected", 4)]
    [InlineData("(a == b", "a '(' is not closed", 0)]
    [InlineData("'abc", "a string is not closed", 0)]
    [InlineData("a.b.", "a name must follow '.'", 4)]
    [InlineData("a = b", "unexpected '= b'", 2)]
    [InlineData("a == \"b\"", "unexpected '\"'", 5)]
    public void Parse_Refuses_WithMessageAndColumn(string text, string message, int column)
    {
        var error = Assert.Throws<ExpressionException>(() => ExpressionParser.Parse(text));
        Assert.Contains(message, error.Message);
        Assert.Equal(column, error.Column);
    }

    [Fact]
    public void Template_WholeExpression_KeepsItsType()
    {
        var template = Template.Parse("${{ params.trials }}");
        Assert.Equal(6, PipelineValues.TryGetNumber(template.Evaluate(Values), out var n) ? n : -1);
    }

    [Fact]
    public void Template_MixedText_SplicesEachValue()
    {
        var template = Template.Parse("model ${{ params.model }} gained ${{ steps.evaluate.outputs.gain }}; dry=${{ params.dry }}");
        Assert.Equal("model bank gained 0.02; dry=false", template.Evaluate(Values)!.GetValue<string>());
        Assert.Equal(3, template.Expressions.Count());
    }

    [Fact]
    public void Template_Unclosed_PointsAtTheOpening()
    {
        var error = Assert.Throws<ExpressionException>(() => Template.Parse("x ${{ params.model"));
        Assert.Equal(2, error.Column);
    }

    [Fact]
    public void Template_ErrorInside_PointsIntoTheWholeText()
    {
        var error = Assert.Throws<ExpressionException>(() => Template.Parse("ab ${{ a = }}"));
        Assert.Equal(9, error.Column);
    }

    private sealed class Scope(JsonObject values) : IExpressionScope
    {
        public JsonNode? Resolve(IReadOnlyList<string> path)
        {
            JsonNode? node = values;
            foreach (var segment in path)
            {
                node = node is JsonObject o && o.TryGetPropertyValue(segment, out var next) ? next : null;
            }

            return node;
        }
    }
}

public sealed class ListTemplateTests
{
    [Fact]
    public void List_WithExpressionItems_EvaluatesEachKeepingTypes()
    {
        var file = Kiln.Pipelines.Definitions.PipelineFileReader.Read("name: x\nparameters: { who: kiln, n: 3 }\nsteps:\n  a: { kind: command, with: { program: echo, args: [hello, \"${{ params.who }}\", \"${{ params.n }}\", \"x${{ params.n }}\"] } }\n");

        Assert.Empty(file.Problems);
        var args = file.Definition!.Steps[0].With["args"].Value;
        Assert.False(args.IsConstant);
        Assert.Equal(3, args.Expressions.Count());
        var scope = new Scope(new JsonObject { ["params"] = new JsonObject { ["who"] = "kiln", ["n"] = 3 } });
        Assert.Equal("""["hello","kiln",3,"x3"]""", args.Evaluate(scope)!.ToJsonString());
    }

    [Fact]
    public void List_OfConstants_IsAConstant()
    {
        var template = Template.List([Template.Parse("a"), Template.Of(JsonValue.Create(2))]);

        Assert.True(template.IsConstant);
        Assert.Equal("""["a",2]""", template.Constant!.ToJsonString());
    }

    private sealed class Scope(JsonObject values) : IExpressionScope
    {
        public JsonNode? Resolve(IReadOnlyList<string> path) => path.Aggregate((JsonNode?)values, (node, segment) => (node as JsonObject)?[segment]);
    }
}
