namespace Kiln.Cli;

/// <summary>Every exit code the CLI uses, in one place.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InvalidArguments = 2;
    public const int NotFound = 3;
    public const int Unauthorized = 4;
    public const int ServerUnreachable = 5;
}
