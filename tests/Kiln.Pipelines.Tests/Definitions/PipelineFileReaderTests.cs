using Kiln.Pipelines.Definitions;
using Kiln.Pipelines.Expressions;

namespace Kiln.Pipelines.Tests.Definitions;

public sealed class PipelineFileReaderTests
{
    private const string Retrain = """
        name: bank-retrain
        description: Retrain on recent labelled traffic plus history; canary if better.
        parameters:
          deployment: bank
          model: bank-marketing
          min_gain: 0.002
          approver:
            description: who signs off
        triggers:
          - cron: "0 3 * * *"
            timezone: Europe/Berlin
          - alert: bank-drift
            deployment: bank
            parameters: { min_gain: 0 }
          - model: bank-marketing
            alias: champion
          - pipeline: nightly-data
            status: finished
        steps:
          fresh:
            kind: data
            with:
              source: production
              deployment: ${{ params.deployment }}
              since: 7d
          train:
            kind: train
            needs: fresh
            retries: { limit: 2, backoff: 30s, max_delay: 2m }
            timeout: 45m
            with:
              data: ${{ steps.fresh.outputs.dataset }}
              label: y
              trials: 4
              algorithms: [fasttree, lightgbm]
          evaluate:
            kind: evaluate
            needs: [train, fresh]
            with:
              candidate: ${{ steps.train.outputs.package }}
              champion: ${{ params.model }}@champion
              data: ${{ steps.fresh.outputs.dataset }}
              label: y
              min_gain: ${{ params.min_gain }}
          register:
            kind: register
            needs: evaluate
            if: steps.evaluate.outputs.passed
            with:
              model: ${{ params.model }}
              package: ${{ steps.train.outputs.package }}
              run_id: ${{ steps.train.outputs.run_id }}
          canary:
            kind: canary
            needs: register
            if: ${{ steps.register.outputs.version > 0 }}
            cache: false
            with:
              deployment: ${{ params.deployment }}
              model: ${{ steps.register.outputs.model }}
              version: ${{ steps.register.outputs.version }}
              steps: [10, 50]
        """;

    [Fact]
    public void Read_AWholePipeline_KeepsEveryPart()
    {
        var file = PipelineFileReader.Read(Retrain);

        Assert.Empty(file.Problems);
        var pipeline = file.Definition!;
        Assert.Equal("bank-retrain", pipeline.Name);
        Assert.Equal(["deployment", "model", "min_gain", "approver"], pipeline.Parameters.Select(p => p.Name));
        Assert.True(pipeline.Parameters[3].Required);
        Assert.False(pipeline.Parameters[0].Required);
        Assert.Equal(["fresh", "train", "evaluate", "register", "canary"], pipeline.Steps.Select(s => s.Name));

        var cron = Assert.IsType<CronTrigger>(pipeline.Triggers[0]);
        Assert.Equal("Europe/Berlin", cron.TimeZone.Id);
        var alert = Assert.IsType<AlertTrigger>(pipeline.Triggers[1]);
        Assert.Equal(("bank-drift", "bank"), (alert.Rule, alert.Deployment));
        Assert.Equal(0, PipelineValues.TryGetNumber(alert.Parameters["min_gain"], out var gain) ? gain : -1);
        Assert.Equal("champion", Assert.IsType<ModelTrigger>(pipeline.Triggers[2]).Alias);
        Assert.Equal("finished", Assert.IsType<PipelineCompletionTrigger>(pipeline.Triggers[3]).Status);

        var train = pipeline.Step("train");
        Assert.Equal(["fresh"], train.Needs);
        Assert.Equal(new RetryPolicy(2, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)), train.Retries);
        Assert.Equal(TimeSpan.FromMinutes(45), train.Timeout);
        Assert.True(train.Cache);
        Assert.Equal(new SourcePosition(26, 3), train.Position);
        Assert.NotNull(train.With["data"].Value.Whole);
        Assert.False(pipeline.Step("canary").Cache);
        Assert.Equal(TimeSpan.FromHours(24), pipeline.Step("canary").Timeout);
        Assert.Equal("steps.evaluate.outputs.passed", pipeline.Step("register").If!.Text);
    }

    [Fact]
    public void Read_ManyMistakes_ReportsEveryOneWithItsLine()
    {
        var file = PipelineFileReader.Read("""
            name: bad name!
            schedule: daily
            parameters:
              model: bank
            triggers:
              - cron: "61 * * * *"
              - alert: drift
                severity: loud
              - cron: "0 3 * * *"
                timezone: Mars/Olympus
            steps:
              fresh:
                kind: data
                with:
                  source: production
              train:
                kind: trian
                needs: [fresh, nowhere]
              evaluate:
                kind: evaluate
                needs: fresh
                retries: 50
                timeout: soon
                with:
                  candidate: ${{ steps.train.outputs.package }}
                  champion: ${{ params.modle }}@champion
                  data: ${{ steps.fresh.outputs.rows_ }}
                  label: y
                  min_gain: high
                  colour: blue
            """);

        Assert.Null(file.Definition);
        var lines = file.Problems.Select(p => (p.Position.Line, p.Path)).ToList();
        Assert.Equal(
        [
            (1, "name"),
            (2, "schedule"),
            (6, "triggers[0].cron"),
            (8, "triggers[1].severity"),
            (10, "triggers[2].timezone"),
            (15, "steps.fresh.with.deployment"),
            (17, "steps.train.kind"),
            (18, "steps.train.needs"),
            (22, "steps.evaluate.retries"),
            (23, "steps.evaluate.timeout"),
            (25, "steps.evaluate.with"),
            (26, "steps.evaluate.with"),
            (27, "steps.evaluate.with"),
            (29, "steps.evaluate.with.min_gain"),
            (30, "steps.evaluate.with.colour"),
        ], lines);
        Assert.Contains("step 'train' is not among this step's needs", file.Problems[10].Message);
        Assert.Contains("no parameter 'modle'", file.Problems[11].Message);
        Assert.Contains("a data step has no output 'rows_'; its outputs are dataset, rows, digest", file.Problems[12].Message);
        Assert.Contains("'trian' is not a step kind", file.Problems[6].Message);
        Assert.Contains("'nowhere' is not a step of this pipeline", file.Problems[7].Message);
        Assert.Contains("must be a number, not \"high\"", file.Problems[13].Message);
        Assert.All(file.Problems, p => Assert.StartsWith($"line {p.Position.Line}, column {p.Position.Column}: ", p.ToString()));
    }

    [Fact]
    public void Read_ACycle_NamesItsSteps()
    {
        var file = PipelineFileReader.Read("""
            name: loop
            steps:
              a: { kind: command, needs: c, with: { program: "true" } }
              b: { kind: command, needs: a, with: { program: "true" } }
              c: { kind: command, needs: b, with: { program: "true" } }
            """);

        var problem = Assert.Single(file.Problems);
        Assert.Contains("the steps need each other in a cycle: a → c → b → a", problem.Message);
    }

    [Fact]
    public void Read_InvalidYaml_PointsAtTheSpot()
    {
        var file = PipelineFileReader.Read("name: x\nsteps:\n  a: [unclosed\n");

        var problem = Assert.Single(file.Problems);
        Assert.StartsWith("not valid YAML: ", problem.Message);
        Assert.Equal(4, problem.Position.Line);
    }

    [Fact]
    public void Read_DuplicateKey_IsAProblemNotACrash()
    {
        var file = PipelineFileReader.Read("name: x\nsteps:\n  a: { kind: command, with: { program: \"true\" } }\n  a: { kind: command, with: { program: \"true\" } }\n");

        var problem = Assert.Single(file.Problems);
        Assert.Contains("Duplicate key", problem.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(4, problem.Position.Line);
    }

    [Fact]
    public void Read_ExpressionError_PointsAtItsColumn()
    {
        var file = PipelineFileReader.Read("name: x\nsteps:\n  a:\n    kind: command\n    with:\n      program: echo ${{ params. }}\n");

        var problem = Assert.Single(file.Problems);
        Assert.Equal(new SourcePosition(6, 32), problem.Position);
        Assert.Contains("a name must follow '.'", problem.Message);
    }

    [Fact]
    public void Read_BatchScore_IsAStepKindWithItsInputsChecked()
    {
        var file = PipelineFileReader.Read("name: x\nsteps:\n  score:\n    kind: batch-score\n    with: { model: m, input: data.csv, format: xml }\n");

        var problem = Assert.Single(file.Problems);
        Assert.Equal("steps.score.with.format", problem.Path);
    }

    [Fact]
    public void Read_TriggerSettingAnUndeclaredParameter_IsAProblem()
    {
        var file = PipelineFileReader.Read("name: x\ntriggers:\n  - cron: '@daily'\n    parameters: { speed: 3 }\nsteps:\n  a: { kind: command, with: { program: \"true\" } }\n");

        Assert.Contains("sets parameter 'speed', which the pipeline does not declare", Assert.Single(file.Problems).Message);
    }

    [Fact]
    public void Read_TooLarge_IsRefusedBeforeParsing()
    {
        var file = PipelineFileReader.Read("name: x\n" + new string('#', PipelineFileReader.MaxLength));

        Assert.Contains("the most is", Assert.Single(file.Problems).Message);
    }
}

public sealed class ExamplePipelineTests
{
    [Fact]
    public void BankRetrain_Example_IsValid()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "examples", "bank-retrain.yaml");

        var file = PipelineFileReader.Read(File.ReadAllText(path));

        Assert.Empty(file.Problems);
        Assert.Equal(["history", "fresh", "retrain", "evaluate", "register", "canary"], file.Definition!.Steps.Select(s => s.Name));
        Assert.IsType<AlertTrigger>(file.Definition.Triggers[0]);
    }
}
