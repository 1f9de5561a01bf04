namespace Kiln.Pipelines.Expressions;

/// <summary>
/// An expression of a pipeline file (inside <c>${{ }}</c> or an <c>if:</c>): literals, context paths such as
/// <c>steps.evaluate.outputs.passed</c>, comparisons, <c>&amp;&amp;</c>, <c>||</c> and <c>!</c>. Nothing in it can call
/// code or reach outside the run's own values.
/// </summary>
public abstract record Expression(int Column);

/// <summary>A number, string, boolean or null written in the expression.</summary>
public sealed record LiteralExpression(object? Value, int Column) : Expression(Column);

/// <summary>A context path: <c>params.model</c>, <c>steps.train.outputs.score</c>, <c>trigger.kind</c>.</summary>
public sealed record PathExpression(IReadOnlyList<string> Segments, int Column) : Expression(Column)
{
    public override string ToString() => string.Join('.', Segments);
}

/// <summary><c>!operand</c>.</summary>
public sealed record NotExpression(Expression Operand, int Column) : Expression(Column);

/// <summary>A binary operation: comparison, equality, <c>&amp;&amp;</c> or <c>||</c>.</summary>
public sealed record BinaryExpression(string Operator, Expression Left, Expression Right, int Column) : Expression(Column);

public static class ExpressionPaths
{
    /// <summary>Every context path the expression reads, in order.</summary>
    public static IEnumerable<PathExpression> Of(Expression expression) => expression switch
    {
        PathExpression path => [path],
        NotExpression not => Of(not.Operand),
        BinaryExpression binary => Of(binary.Left).Concat(Of(binary.Right)),
        _ => [],
    };
}
