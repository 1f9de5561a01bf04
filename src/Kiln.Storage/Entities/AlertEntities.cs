namespace Kiln.Storage.Entities;

internal sealed class AlertRuleEntity
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Deployment { get; set; }
    public int Kind { get; set; }
    public double Threshold { get; set; }
    public int Comparison { get; set; }
    public long WindowMs { get; set; }
    public long ForMs { get; set; }
    public string? Metric { get; set; }
    public string? Feature { get; set; }
    public int Severity { get; set; }
    public bool Enabled { get; set; }
    public string Webhooks { get; set; } = "";
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class AlertStateEntity
{
    public required string RuleId { get; set; }
    public required string Deployment { get; set; }
    public required string RuleName { get; set; }
    public int Kind { get; set; }
    public int Severity { get; set; }
    public int Status { get; set; }
    public double? Value { get; set; }
    public double Threshold { get; set; }
    public required string Description { get; set; }
    public DateTimeOffset Since { get; set; }
    public DateTimeOffset? ActiveAt { get; set; }
    public DateTimeOffset? FiredAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset EvaluatedAt { get; set; }
}

internal sealed class AlertTransitionEntity
{
    public long Id { get; set; }
    public required string RuleId { get; set; }
    public required string RuleName { get; set; }
    public required string Deployment { get; set; }
    public int Kind { get; set; }
    public int Severity { get; set; }
    public int FromStatus { get; set; }
    public int ToStatus { get; set; }
    public double? Value { get; set; }
    public double Threshold { get; set; }
    public required string Description { get; set; }
    public DateTimeOffset At { get; set; }
}
