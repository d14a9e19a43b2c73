using System.Text.Json.Nodes;
using Recur.Optimizers;

namespace Recur.Tests.Optimizers;

public class LearningRateScheduleTests
{
    [Fact]
    public void Step_decay_multiplies_by_gamma_every_n_epochs()
    {
        var schedule = new StepDecaySchedule(0.1, everyEpochs: 2, gamma: 0.5);
        Assert.Equal([0.1f, 0.1f, 0.05f, 0.05f, 0.025f], Enumerable.Range(0, 5).Select(e => schedule.Rate(step: 1000, epoch: e)));
    }

    [Fact]
    public void Cosine_annealing_goes_from_the_initial_to_the_minimum_rate_and_stays()
    {
        var schedule = new CosineAnnealingSchedule(1.0, 0.1, totalSteps: 100);
        Assert.Equal(1f, schedule.Rate(0, 0));
        Assert.Equal(0.55f, schedule.Rate(50, 0), 6);
        Assert.Equal(0.1 + 0.9 * (1 + Math.Cos(Math.PI / 4)) / 2, schedule.Rate(25, 0), 6);
        Assert.Equal(0.1f, schedule.Rate(100, 0), 6);
        Assert.Equal(0.1f, schedule.Rate(5000, 3), 6);
    }

    [Fact]
    public void Warm_up_rises_linearly_then_hands_over_to_the_wrapped_schedule_from_its_start()
    {
        var schedule = new WarmupSchedule(new CosineAnnealingSchedule(1.0, 0.0, totalSteps: 10), warmupSteps: 4);
        Assert.Equal(0.25f, schedule.Rate(0, 0));
        Assert.Equal(0.5f, schedule.Rate(1, 0));
        Assert.Equal(1f, schedule.Rate(3, 0));
        Assert.Equal(1f, schedule.Rate(4, 0)); // the cosine's step 0
        Assert.Equal(0.5f, schedule.Rate(9, 0), 6); // the cosine's step 5 of 10
        Assert.Equal(0f, schedule.Rate(14, 0), 6);
    }

    [Fact]
    public void Configs_round_trip_through_json_text()
    {
        LearningRateSchedule[] schedules =
        [
            new ConstantSchedule(3e-4),
            new StepDecaySchedule(0.1, 3, 0.3),
            new WarmupSchedule(new CosineAnnealingSchedule(2e-3, 1e-5, 1000), 50),
        ];
        foreach (var schedule in schedules)
        {
            var rebuilt = LearningRateSchedule.Create(JsonNode.Parse(schedule.GetConfig().ToJsonString())!.AsObject());
            foreach (var (step, epoch) in new[] { (0L, 0), (10L, 1), (49L, 2), (500L, 7), (2000L, 9) })
            {
                Assert.Equal(schedule.Rate(step, epoch), rebuilt.Rate(step, epoch));
            }
        }
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(-1)).ParamName);
        Assert.Equal("everyEpochs", Assert.Throws<ArgumentOutOfRangeException>(() => new StepDecaySchedule(0.1, 0, 0.5)).ParamName);
        Assert.Equal("totalSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingSchedule(1, 0, 0)).ParamName);
        Assert.Equal("warmupSteps", Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupSchedule(new ConstantSchedule(1), 0)).ParamName);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(1).Rate(-1, 0)).ParamName);
        Assert.Contains("warmup", Assert.Throws<ArgumentException>(() => LearningRateSchedule.Create(new JsonObject { ["type"] = "cyclic" })).Message);
    }
}
