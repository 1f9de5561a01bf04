namespace Kiln.Inference.Tests.Support;

/// <summary>Where the generated test models are (see tests/TestModels.targets).</summary>
internal static class TestModels
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "models");

    public static string PathOf(string name) => Path.Combine(Directory, name);
}
