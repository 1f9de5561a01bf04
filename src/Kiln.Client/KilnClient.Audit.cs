using Kiln.Core.Api;
using Kiln.Core.Audit;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>A page of the audit log (admin), oldest first; times take ISO 8601 or a duration before now (<c>1d</c>).</summary>
    public Task<AuditPage> GetAuditAsync(AuditFilter filter, long? after = null, int limit = 100, CancellationToken cancellationToken = default) =>
        GetAsync($"api/audit{Query(("since", filter.Since), ("until", filter.Until), ("actor", filter.Actor), ("action", filter.Action), ("target", filter.Target), ("after", Text(after)), ("limit", Text(limit)))}",
            Json.AuditPage, cancellationToken);

    /// <summary>Downloads every matching audit event as <c>jsonl</c> or <c>csv</c> into <paramref name="destination"/>.</summary>
    public async Task ExportAuditAsync(AuditFilter filter, string format, Stream destination, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(
            $"api/audit/export{Query(("format", format), ("since", filter.Since), ("until", filter.Until), ("actor", filter.Actor), ("action", filter.Action), ("target", filter.Target))}",
            HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await response.Content.CopyToAsync(destination, cancellationToken);
    }
}

/// <summary>Which audit events to read; every part optional (see <see cref="AuditQuery"/>).</summary>
public sealed record AuditFilter(string? Since = null, string? Until = null, string? Actor = null, string? Action = null, string? Target = null);
