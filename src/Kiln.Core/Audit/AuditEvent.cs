namespace Kiln.Core.Audit;

/// <summary>
/// One change made through Kiln, by anyone, through any interface (the API, the MLflow API, the dashboard, the CLI):
/// who, what, when, from where, and — where the change has a before and an after — both.
/// </summary>
public sealed record AuditEvent
{
    /// <summary>The event's number, increasing in the order events were stored.</summary>
    public long Id { get; init; }

    /// <summary>When the request finished.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Who: the key's id, <c>anonymous</c> (auth off), or <c>system</c>.</summary>
    public required string Actor { get; init; }

    /// <summary>The key's name, for people.</summary>
    public string? ActorName { get; init; }

    /// <summary>What: the HTTP method and the endpoint's route, e.g. <c>PUT /api/models/{name}/aliases/{alias}</c>.</summary>
    public required string Action { get; init; }

    /// <summary>On what: the request's path with its values, e.g. <c>/api/models/bank/aliases/champion</c>.</summary>
    public required string Target { get; init; }

    /// <summary>The answer's status code: 2xx done, 4xx refused (403: the role or scope did not allow it).</summary>
    public int Status { get; init; }

    /// <summary>From where: the client's address (through trusted proxies, the original client's).</summary>
    public string? Address { get; init; }

    /// <summary>The request id (<c>Kiln-Request-Id</c>), to find the request in logs.</summary>
    public string? RequestId { get; init; }

    /// <summary>The replica that served it.</summary>
    public string? Replica { get; init; }

    /// <summary>The state before the change, as JSON, where the endpoint records it.</summary>
    public string? Before { get; init; }

    /// <summary>The state after the change, as JSON, where the endpoint records it.</summary>
    public string? After { get; init; }
}

/// <summary>A filter over audit events; every part optional.</summary>
/// <param name="Since">Events at or after this time.</param>
/// <param name="Until">Events before this time.</param>
/// <param name="Actor">Events by this key id (or <c>system</c>, <c>anonymous</c>).</param>
/// <param name="Action">Events whose action contains this text (e.g. <c>aliases</c>, <c>DELETE</c>).</param>
/// <param name="Target">Events whose target starts with this path (e.g. <c>/api/models/bank</c>).</param>
/// <param name="AfterId">Events after this id (paging).</param>
/// <param name="Limit">At most this many, oldest first.</param>
public sealed record AuditQuery(
    DateTimeOffset? Since = null, DateTimeOffset? Until = null, string? Actor = null, string? Action = null, string? Target = null, long AfterId = 0, int Limit = 100);

/// <summary>The append-only audit log: events are added and read, never changed; retention deletes the oldest.</summary>
public interface IAuditStore
{
    /// <summary>Stores an event.</summary>
    Task AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Events matching <paramref name="query"/>, oldest first.</summary>
    Task<IReadOnlyList<AuditEvent>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes events older than <paramref name="before"/>; returns how many went.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
