using System.Net;

namespace Kiln.Client;

/// <summary>An error answer from a Kiln server, with the status and the server's message.</summary>
public sealed class KilnApiException : Exception
{
    /// <summary>Creates an error for a status and message.</summary>
    public KilnApiException(HttpStatusCode status, string message, string? field = null)
        : base(message)
    {
        Status = status;
        Field = field;
    }

    /// <summary>Creates an error (prefer the status constructor).</summary>
    public KilnApiException() : this(HttpStatusCode.InternalServerError, "Kiln request failed.")
    {
    }

    /// <summary>Creates an error (prefer the status constructor).</summary>
    public KilnApiException(string message) : this(HttpStatusCode.InternalServerError, message)
    {
    }

    /// <summary>Creates an error (prefer the status constructor).</summary>
    public KilnApiException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The HTTP status the server answered with.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The request field the server named as wrong, if any.</summary>
    public string? Field { get; }
}
