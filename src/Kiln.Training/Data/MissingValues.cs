namespace Kiln.Training.Data;

/// <summary>The spellings of a missing value in a text file: empty, <c>NA</c>, <c>null</c>, <c>?</c> (any case, surrounding spaces ignored).</summary>
public static class MissingValues
{
    public static bool IsMissing(ReadOnlySpan<char> text)
    {
        var value = text.Trim();
        return value.IsEmpty
            || value.Equals("NA", StringComparison.OrdinalIgnoreCase)
            || value.Equals("null", StringComparison.OrdinalIgnoreCase)
            || value is "?";
    }
}
