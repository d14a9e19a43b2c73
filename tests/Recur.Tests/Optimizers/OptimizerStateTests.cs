using System.Text.Json.Nodes;
using Recur.Modules;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Tests.Optimizers;

/// <summary>Checkpointing an optimizer: resuming from an exported state reproduces an uninterrupted run bit for bit.</summary>
public class OptimizerStateTests
{
    public static TheoryData<string> Configs =>
    [
        """{"type": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": true, "weight_decay": 0.01}""",
        """{"type": "sgd", "lr": 0.1}""",
        """{"type": "rmsprop", "lr": 0.01, "momentum": 0.5, "centered": true, "weight_decay": 0.1}""",
        """{"type": "adam", "lr": 0.01, "weight_decay": 0.1}""",
        """{"type": "adamw", "lr": 0.01, "beta1": 0.8}""",
    ];

    [Theory]
    [MemberData(nameof(Configs))]
    public void Resuming_from_an_exported_state_gives_the_bits_of_an_uninterrupted_run(string json)
    {
        var config = JsonNode.Parse(json)!.AsObject();
        const int total = 7, split = 3;

        var straight = OptimizerTestKit.RandomParameters(new Rng(21));
        var optimizer = OptimizerFactory.Create(config, straight);
        var gradients = new Rng(22);
        for (int step = 0; step < total; step++)
        {
            Step(optimizer, gradients);
        }

        var resumed = OptimizerTestKit.RandomParameters(new Rng(21));
        var first = OptimizerFactory.Create(config, resumed);
        gradients = new Rng(22);
        for (int step = 0; step < split; step++)
        {
            Step(first, gradients);
        }

        var state = first.GetState();
        var second = OptimizerFactory.Create(first.GetConfig(), resumed); // a fresh optimizer, from the saved config
        second.LoadState(state);
        Assert.Equal(split, second.StepCount);
        for (int step = split; step < total; step++)
        {
            Step(second, gradients);
        }

        for (int p = 0; p < straight.Length; p++)
        {
            Assert.Equal(straight[p].Value.Span.ToArray(), resumed[p].Value.Span.ToArray()); // exact float equality
        }
    }

    [Fact]
    public void The_state_holds_named_buffers_of_each_parameter_shape()
    {
        var ps = OptimizerTestKit.RandomParameters(new Rng(1));
        var state = new Adam(ps).GetState();

        Assert.Equal(["a.exp_avg", "a.exp_avg_sq", "b.exp_avg", "b.exp_avg_sq"], state.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([2, 3], state.Tensors["a.exp_avg"].Shape.ToArray());
        Assert.Empty(new Sgd(ps, 0.1f).GetState().Tensors); // plain SGD keeps nothing
        Assert.Equal(["a.grad_avg", "a.momentum_buffer", "a.square_avg", "b.grad_avg", "b.momentum_buffer", "b.square_avg"],
            new RmsProp(ps, momentum: 0.9f, centered: true).GetState().Tensors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Loading_a_state_that_does_not_fit_fails_with_the_names_and_changes_nothing()
    {
        var ps = OptimizerTestKit.RandomParameters(new Rng(1));
        var adam = new Adam(ps);
        var good = adam.GetState().Tensors;

        var missing = new Dictionary<string, Tensor>(good);
        missing.Remove("b.exp_avg");
        missing["c.exp_avg"] = new Tensor(1);
        var e = Assert.Throws<ArgumentException>(() => adam.LoadState(new OptimizerState(3, missing)));
        Assert.Equal("state", e.ParamName);
        Assert.Contains("missing [b.exp_avg]", e.Message);
        Assert.Contains("unexpected [c.exp_avg]", e.Message);

        var wrongShape = new Dictionary<string, Tensor>(good) { ["a.exp_avg"] = new Tensor(3, 2) };
        e = Assert.Throws<ArgumentException>(() => adam.LoadState(new OptimizerState(3, wrongShape)));
        Assert.Contains("'a.exp_avg' expected shape (2, 3)", e.Message);
        Assert.Contains("got (3, 2)", e.Message);

        Assert.Throws<ArgumentException>(() => adam.LoadState(new OptimizerState(-1, good)));
        Assert.Equal(0, adam.StepCount);
    }

    [Fact]
    public void Parameters_with_the_same_name_cannot_be_checkpointed()
    {
        var adam = new Adam([new Parameter("w", 1), new Parameter("w", 1)]);
        Assert.Contains("'w'", Assert.Throws<InvalidOperationException>(() => adam.GetState()).Message);
    }

    [Fact]
    public void Configs_round_trip_and_unknown_types_are_refused()
    {
        var ps = OptimizerTestKit.RandomParameters(new Rng(1));
        var rms = new RmsProp(ps, 0.003f, alpha: 0.9f, momentum: 0.5f, centered: true);
        var rebuilt = (RmsProp)OptimizerFactory.Create(JsonNode.Parse(rms.GetConfig().ToJsonString())!.AsObject(), ps);
        Assert.Equal((0.003f, 0.9f, 0.5f, true), (rebuilt.LearningRate, rebuilt.Alpha, rebuilt.Momentum, rebuilt.Centered));

        Assert.IsType<AdamW>(OptimizerFactory.Create(new AdamW(ps).GetConfig(), ps));
        var e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create(new JsonObject { ["type"] = "lbfgs" }, ps));
        Assert.Contains("sgd, rmsprop, adam, adamw", e.Message);
        e = Assert.Throws<ArgumentException>(() => OptimizerFactory.Create(new JsonObject { ["type"] = "adam", ["lr"] = "fast" }, ps));
        Assert.Contains("'lr'", e.Message);
    }

    private static void Step(Optimizer optimizer, Rng gradients)
    {
        optimizer.ZeroGrad();
        foreach (var p in optimizer.Parameters)
        {
            for (int i = 0; i < p.Grad.Length; i++)
            {
                p.Grad.Span[i] = (float)gradients.NextGaussian();
            }
        }

        optimizer.Step();
    }
}
