using Kiln.Core.Pipelines;
using Kiln.Storage.Stores;
using Kiln.Storage.Tests.Support;

namespace Kiln.Storage.Tests.Pipelines;

public sealed class SqlitePipelineStoreTests : PipelineStoreContract
{
    [Fact]
    public Task Sqlite_Apply_SameTextTwice_MakesOneVersion_AndChangedTextTheNext() => Apply_SameTextTwice_MakesOneVersion_AndChangedTextTheNext();

    [Fact]
    public Task Sqlite_CreateRun_SameTriggerKey_StartsOneRun() => CreateRun_SameTriggerKey_StartsOneRun();

    [Fact]
    public Task Sqlite_Claim_OneOwnerAtATime_UntilItsHeartbeatIsStale() => Claim_OneOwnerAtATime_UntilItsHeartbeatIsStale();

    [Fact]
    public Task Sqlite_Save_StoresRunAndSteps_AndAFinishedRunHasNoOwner() => Save_StoresRunAndSteps_AndAFinishedRunHasNoOwner();

    [Fact]
    public Task Sqlite_CancelDecideAndRetry_ChangeOnlyWhatTheyMay() => CancelDecideAndRetry_ChangeOnlyWhatTheyMay();

    [Fact]
    public Task Sqlite_Logs_ReadInOrderAfterASequence_AndDeleteTakesEverything() => Logs_ReadInOrderAfterASequence_AndDeleteTakesEverything();

    protected override async Task<(IPipelineStore Store, IAsyncDisposable Lifetime)> OpenAsync()
    {
        var database = await SqliteTestDatabase.CreateAsync();
        return (new EfPipelineStore(database), database);
    }
}

public sealed class PostgresPipelineStoreTests : PipelineStoreContract
{
    [PostgresFact]
    public Task Postgres_Apply_SameTextTwice_MakesOneVersion_AndChangedTextTheNext() => Apply_SameTextTwice_MakesOneVersion_AndChangedTextTheNext();

    [PostgresFact]
    public Task Postgres_CreateRun_SameTriggerKey_StartsOneRun() => CreateRun_SameTriggerKey_StartsOneRun();

    [PostgresFact]
    public Task Postgres_Claim_OneOwnerAtATime_UntilItsHeartbeatIsStale() => Claim_OneOwnerAtATime_UntilItsHeartbeatIsStale();

    [PostgresFact]
    public Task Postgres_Save_StoresRunAndSteps_AndAFinishedRunHasNoOwner() => Save_StoresRunAndSteps_AndAFinishedRunHasNoOwner();

    [PostgresFact]
    public Task Postgres_CancelDecideAndRetry_ChangeOnlyWhatTheyMay() => CancelDecideAndRetry_ChangeOnlyWhatTheyMay();

    [PostgresFact]
    public Task Postgres_Logs_ReadInOrderAfterASequence_AndDeleteTakesEverything() => Logs_ReadInOrderAfterASequence_AndDeleteTakesEverything();

    protected override async Task<(IPipelineStore Store, IAsyncDisposable Lifetime)> OpenAsync()
    {
        var database = await PostgresTestDatabase.CreateAsync();
        return (new EfPipelineStore(database), database);
    }
}
