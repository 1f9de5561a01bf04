using System.Text.Json.Nodes;
using Kiln.Core.Registry;

namespace Kiln.Server.Audit;

/// <summary>An alias move as the audit log keeps it, the same from Kiln's API and MLflow's: the version before and after.</summary>
internal static class AliasChange
{
    /// <summary>The version <paramref name="alias"/> points at now, or null.</summary>
    public static async Task<int?> CurrentAsync(IModelRegistry registry, string model, string alias, CancellationToken cancellationToken) =>
        ModelName.IsValid(model) && ModelName.IsValid(alias)
            ? (await registry.ResolveAsync(ModelReference.Parse($"{model}@{alias}", "alias"), cancellationToken))?.Version
            : null;

    public static void Record(HttpContext context, string model, string alias, int? before, int? after) =>
        AuditNote.Record(context, State(model, alias, before), State(model, alias, after));

    private static JsonObject? State(string model, string alias, int? version) =>
        version is null ? null : new JsonObject { ["model"] = model, ["alias"] = alias, ["version"] = version };
}
