using Kiln.Core;
using Kiln.Core.Errors;

namespace Kiln.Inference.Tests.Support;

internal static class KilnAssert
{
    /// <summary>
    /// Asserts that <paramref name="action"/> fails with a 400 naming <paramref name="field"/>, in
    /// <see cref="KilnException.Field"/> and in the message, and that the message mentions <paramref name="mentions"/>.
    /// </summary>
    public static KilnException Invalid(Func<object?> action, string field, string? mentions = null)
    {
        var e = Assert.Throws<KilnException>(action);
        Assert.Equal(KilnErrorKind.Invalid, e.Kind);
        Assert.Equal(field, e.Field);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
        if (mentions is not null)
        {
            Assert.Contains(mentions, e.Message, StringComparison.Ordinal);
        }

        return e;
    }
}
