namespace Kiln.Core.Errors;

/// <summary>What went wrong, in terms a protocol can map to a status code.</summary>
public enum KilnErrorKind
{
    /// <summary>The request was malformed or did not fit the model: a 400.</summary>
    Invalid,
    /// <summary>A named thing does not exist: a 404.</summary>
    NotFound,
    /// <summary>The request conflicts with the current state: a 409.</summary>
    Conflict,
    /// <summary>The target exists but cannot serve yet: a 503.</summary>
    NotReady,
    /// <summary>The request's media type is not supported: a 415.</summary>
    UnsupportedMediaType,
    /// <summary>The request body is larger than allowed: a 413.</summary>
    PayloadTooLarge,
}
