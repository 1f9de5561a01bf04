using Kiln.Training.Demo;
using Kiln.Training.Training;

namespace Kiln.Training.Tests.Support;

/// <summary>
/// One sweep shared by the tests that need a trained model: 20,000 demo rows without <c>duration</c>
/// (it leaks the label), one trial per algorithm.
/// </summary>
public sealed class BankSweepFixture : IAsyncLifetime
{
    public const int Rows = 20_000;
    public const int Seed = 1;
    private readonly TempDirectory _directory = new();

    public string DataPath => _directory.File("bank.csv");

    public string OutputDirectory => _directory.File("sweep");

    public SweepResult Result { get; private set; } = null!;

    public SweepOptions Options => new()
    {
        DataPath = DataPath,
        Label = BankMarketingGenerator.LabelColumn,
        OutputDirectory = OutputDirectory,
        ExcludeColumns = ["duration"],
        Trials = 3,
        Seed = Seed,
    };

    public async Task InitializeAsync()
    {
        BankMarketingGenerator.WriteFile(DataPath, Rows, seed: 7);
        Result = await new SweepTrainer().RunAsync(Options);
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class BankSweepCollection : ICollectionFixture<BankSweepFixture>
{
    public const string Name = "bank sweep";
}
