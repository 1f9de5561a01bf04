using Kiln.Pipelines.Definitions;

namespace Kiln.Pipelines.Tests.Definitions;

public sealed class StepKindDocsTests
{
    [Fact]
    public void UserGuide_NamesEveryInputAndOutputOfEveryStepKind()
    {
        var guide = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "pipelines.md"));
        var missing = new List<string>();
        foreach (var kind in StepKinds.All)
        {
            var section = Section(guide, kind.Name);
            missing.AddRange(kind.Inputs.Select(i => i.Name).Concat(kind.Outputs.Select(o => o.Name))
                .Where(name => !section.Contains($"`{name}`", StringComparison.Ordinal))
                .Select(name => $"{kind.Name}.{name}"));
        }

        Assert.True(missing.Count == 0, "docs/pipelines.md does not describe: " + string.Join(", ", missing));
    }

    /// <summary>The text under the heading that names the kind, up to the next heading of the same level.</summary>
    private static string Section(string guide, string kind)
    {
        var lines = guide.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith("### ", StringComparison.Ordinal) && l[4..].Split(',').Select(s => s.Trim()).Contains(kind));
        Assert.True(start >= 0, $"docs/pipelines.md has no section for {kind}");
        var end = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal) || l.StartsWith("### ", StringComparison.Ordinal));
        return string.Join('\n', lines[start..(end < 0 ? lines.Length : end)]);
    }
}
