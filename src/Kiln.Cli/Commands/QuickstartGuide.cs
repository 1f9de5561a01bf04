using System.Globalization;
using System.Text.Json.Nodes;
using Kiln.Cli.Output;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary>Prints what the quickstart serves: the URLs, and a copy-paste request per protocol built from a real demo row.</summary>
internal static class QuickstartGuide
{
    private static readonly HashSet<string> Numeric = ["age", "balance", "day", "campaign", "pdays", "previous"];

    public static void Print(string url, string csv)
    {
        var (columns, values) = FirstRow(csv);
        var record = new JsonObject();
        var inputs = new JsonArray();
        for (var i = 0; i < columns.Length; i++)
        {
            JsonNode value = Numeric.Contains(columns[i]) ? double.Parse(values[i], CultureInfo.InvariantCulture) : values[i];
            record[columns[i]] = value.DeepClone();
            inputs.Add(new JsonObject
            {
                ["name"] = columns[i],
                ["shape"] = new JsonArray(1, 1),
                ["datatype"] = Numeric.Contains(columns[i]) ? "FP32" : "BYTES",
                ["data"] = new JsonArray(value),
            });
        }

        var split = new JsonObject
        {
            ["dataframe_split"] = new JsonObject
            {
                ["columns"] = new JsonArray(columns.Select(c => (JsonNode)c).ToArray()),
                ["data"] = new JsonArray(new JsonArray(columns.Select((c, i) => Numeric.Contains(c) ? (JsonNode)double.Parse(values[i], CultureInfo.InvariantCulture) : values[i]).ToArray())),
            },
        };
        var model = QuickstartCommand.ModelName;
        var table = new Table().AddColumns("What", "Where");
        table.AddRow("Dashboard", $"{url}/");
        table.AddRow("API docs", $"{url}/docs");
        table.AddRow("Health", $"{url}/health/ready");
        table.AddRow("Open Inference Protocol v2", $"{url}/v2/models/{model}/infer");
        table.AddRow("KServe v1", $"{url}/v1/models/{model}:predict");
        table.AddRow("MLflow scoring", $"{url}/deployments/{model}/invocations");
        CommandOutput.Error.Write(table);

        Console.Out.WriteLine();
        Console.Out.WriteLine("# KServe v1");
        Console.Out.WriteLine($"curl -s {url}/v1/models/{model}:predict -H 'content-type: application/json' -d '{new JsonObject { ["instances"] = new JsonArray(record) }.ToJsonString()}'");
        Console.Out.WriteLine("# Open Inference Protocol v2");
        Console.Out.WriteLine($"curl -s {url}/v2/models/{model}/infer -H 'content-type: application/json' -d '{new JsonObject { ["inputs"] = inputs }.ToJsonString()}'");
        Console.Out.WriteLine("# MLflow scoring (JSON)");
        Console.Out.WriteLine($"curl -s {url}/deployments/{model}/invocations -H 'content-type: application/json' -d '{split.ToJsonString()}'");
        Console.Out.WriteLine("# MLflow scoring (CSV)");
        Console.Out.WriteLine($"printf '{string.Join(',', columns)}\\n{string.Join(',', values)}\\n' | curl -s {url}/deployments/{model}/invocations -H 'content-type: text/csv' --data-binary @-");
        Console.Out.WriteLine();
        Console.Out.WriteLine("# Explore: kiln runs list --experiment bank-marketing · kiln models show bank-marketing@champion · kiln deployments list");
        Console.Out.WriteLine();
        Console.Out.Flush();
    }

    /// <summary>What the simulated traffic will show, and the commands that show it.</summary>
    public static void PrintMonitoring(string url, Quickstart.TrafficPlan plan)
    {
        var model = QuickstartCommand.ModelName;
        Console.Out.WriteLine($"# Simulated clients now send {plan.RequestsPerSecond:0} requests/s of {plan.RowsPerRequest} rows; ground truth for {plan.LabelledShare:P0} of them follows after {plan.LabelDelay.TotalSeconds:0}s;");
        Console.Out.WriteLine($"# a drift episode (a new customer segment) runs from minute {plan.DriftAfter.TotalMinutes:0.#} to minute {(plan.DriftAfter + plan.DriftFor).TotalMinutes:0.#}. Watch it:");
        Console.Out.WriteLine($"curl -s {url}/metrics | grep kiln_inference_requests_total");
        Console.Out.WriteLine($"kiln monitor quality {model} --window 1m --since 10m");
        Console.Out.WriteLine($"kiln monitor drift {model} --window 2m");
        Console.Out.WriteLine($"kiln monitor predictions {model} --limit 5");
        Console.Out.WriteLine("kiln alerts list");
        Console.Out.WriteLine();
        Console.Out.Flush();
    }

    /// <summary>The first demo row without the label and the leaky duration column.</summary>
    private static (string[] Columns, string[] Values) FirstRow(string csv)
    {
        using var reader = new StreamReader(csv);
        var header = reader.ReadLine()!.Split(',');
        var row = reader.ReadLine()!.Split(',');
        var keep = header.Select((name, i) => (name, i)).Where(c => c.name is not ("y" or "duration")).ToArray();
        return (keep.Select(c => c.name).ToArray(), keep.Select(c => row[c.i]).ToArray());
    }
}
