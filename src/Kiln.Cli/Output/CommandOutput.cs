using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace Kiln.Cli.Output;

/// <summary>Writes a command's result: JSON on stdout for machines, tables for people; messages on stderr.</summary>
internal static class CommandOutput
{
    private static readonly JsonSerializerOptions Indented = new(Core.Serialization.KilnJsonContext.Default.Options) { WriteIndented = true };

    public static IAnsiConsole Error { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    public static void Json<T>(T value, JsonTypeInfo<T> type) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(value, Indented.GetTypeInfo(type.Type)));

    public static void Table(Table table) => AnsiConsole.Write(table);

    public static void Info(string markup) => Error.MarkupLine(markup);
}
