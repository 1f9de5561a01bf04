using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Kiln.Server.Audit;

/// <summary>
/// What an endpoint adds to its request's audit event: the state before and after the change, and who acted when the
/// request itself carried no key (a dashboard sign-in). Endpoints call <see cref="Record{T}"/>; the audit middleware
/// reads it once the request is done.
/// </summary>
internal sealed class AuditNote
{
    public string? Before { get; private set; }

    public string? After { get; private set; }

    public (string Id, string Name)? ActingAs { get; private set; }

    /// <summary>Records <paramref name="before"/> and <paramref name="after"/> (either may be null: created, deleted).</summary>
    public static void Record<T>(HttpContext context, T? before, T? after, JsonTypeInfo<T> type)
    {
        var note = For(context);
        note.Before = before is null ? null : JsonSerializer.Serialize(before, type);
        note.After = after is null ? null : JsonSerializer.Serialize(after, type);
    }

    /// <summary>Records small hand-made states (either may be null).</summary>
    public static void Record(HttpContext context, System.Text.Json.Nodes.JsonNode? before, System.Text.Json.Nodes.JsonNode? after)
    {
        var note = For(context);
        note.Before = before?.ToJsonString();
        note.After = after?.ToJsonString();
    }

    /// <summary>Names who acted, for requests that carry no key of their own (signing in).</summary>
    public static void Actor(HttpContext context, string id, string name) => For(context).ActingAs = (id, name);

    public static AuditNote? Of(HttpContext context) => context.Features.Get<AuditNote>();

    private static AuditNote For(HttpContext context)
    {
        var note = context.Features.Get<AuditNote>();
        if (note is null)
        {
            note = new AuditNote();
            context.Features.Set(note);
        }

        return note;
    }
}
