using System.Text.Json;

namespace Kiln.Server.Tests.Support;

/// <summary>The generated test models (tests/TestModels.targets) and their independently computed expected outputs.</summary>
public static class TestModels
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "models");

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public const string GbtFeatures = "age,balance,day,duration,campaign,pdays,previous";

    public static string[] GbtFeatureNames { get; } = GbtFeatures.Split(',');

    /// <summary>The first (batch) case of a model in expected.json.</summary>
    public static JsonElement Case(string model, string name = "batch")
    {
        using var document = JsonDocument.Parse(File.ReadAllText(PathOf("expected.json")));
        return document.RootElement.GetProperty(model).EnumerateArray().First(c => c.GetProperty("name").GetString() == name).Clone();
    }
}
