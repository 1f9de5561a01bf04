using System.Security.Cryptography;
using System.Text;

namespace Kiln.Core.Security;

/// <summary>
/// Makes and hashes API keys. Keys carry 256 random bits, so one SHA-256 is a sound hash at rest
/// (a slow password hash buys nothing against a key that cannot be guessed) and keeps checks cheap.
/// </summary>
public static class ApiKeySecret
{
    /// <summary>Every Kiln key starts with this, so leaked keys are easy to scan for.</summary>
    public const string KeyPrefix = "kiln_";

    /// <summary>How many characters of a key are kept to recognise it.</summary>
    public const int DisplayPrefixLength = 12;

    /// <summary>Creates a new random key.</summary>
    public static string Generate()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return KeyPrefix + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The length of <see cref="Hash(string)"/>: 64 hex characters.</summary>
    public const int HashLength = 64;

    /// <summary>The lower-case hex SHA-256 of a key: what the store keeps.</summary>
    public static string Hash(string key)
    {
        Span<char> hex = stackalloc char[HashLength];
        Hash(key, hex);
        return new string(hex);
    }

    /// <summary>Writes the lower-case hex SHA-256 of <paramref name="key"/> into <paramref name="destination"/> (<see cref="HashLength"/> characters), allocating nothing for keys up to 512 bytes.</summary>
    public static void Hash(ReadOnlySpan<char> key, Span<char> destination)
    {
        Span<byte> hash = stackalloc byte[32];
        var byteCount = Encoding.UTF8.GetByteCount(key);
        var buffer = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(key, buffer);
        SHA256.HashData(buffer, hash);
        if (!Convert.TryToHexStringLower(hash, destination, out _))
        {
            throw new ArgumentException($"needs {HashLength} characters.", nameof(destination));
        }
    }

    /// <summary>The part of a key kept for display.</summary>
    public static string DisplayPrefix(string key) => key.Length <= DisplayPrefixLength ? key : key[..DisplayPrefixLength];
}
