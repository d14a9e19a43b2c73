using Recur.Losses;
using Recur.Metrics;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Tests.Metrics;

/// <summary>Perplexity, RMSE and MAE accumulated over batches, weighted by what each batch counted.</summary>
public class LossMeanMetricTests
{
    [Fact]
    public void Perplexity_is_exp_of_total_nats_over_total_tokens_not_a_mean_of_batch_perplexities()
    {
        var perplexity = new Perplexity();
        // Batch 1: uniform logits over 4 classes, 3 counted tokens of ln 4 nats each (one step is padding).
        perplexity.Update(new LayerValue(new Tensor(2, 2, 4), [2, 1]), Tensor.FromValues([0f, 1f, 2f, 9f], 2, 2));
        // Batch 2: one token predicted with probability e^5 / (e^5 + 1): nats = ln(1 + e^-5).
        perplexity.Update(new LayerValue(Tensor.FromValues([5f, 0f], 1, 2)), Tensor.FromValues([0f], 1));

        double nats = 3 * Math.Log(4) + Math.Log(1 + Math.Exp(-5));
        Assert.Equal(Math.Exp(nats / 4), perplexity.Result, 1e-5);
        Assert.Equal(4, perplexity.Count);
        Assert.NotEqual((4 + (1 + Math.Exp(-5))) / 2, perplexity.Result, 1e-3);
    }

    [Fact]
    public void Perplexity_skips_ignored_tokens()
    {
        var perplexity = new Perplexity(ignoreIndex: 0);
        perplexity.Update(new LayerValue(new Tensor(3, 2)), Tensor.FromValues([0f, 1f, 0f], 3));
        Assert.Equal(2.0, perplexity.Result, 1e-6); // one token, uniform over 2
        Assert.Equal(1, perplexity.Count);
    }

    [Fact]
    public void Rmse_and_mae_accumulate_over_batches_by_element_count()
    {
        var rmse = new RootMeanSquaredError();
        var mae = new MeanAbsoluteErrorMetric();
        foreach (var m in new Metric[] { rmse, mae })
        {
            m.Update(new LayerValue(Tensor.FromValues([1f, 2f], 2)), Tensor.FromValues([0f, 0f], 2)); // errors 1, 2
            m.Update(new LayerValue(Tensor.FromValues([0f, 0f, 3f, 9f], 1, 2, 2), [1]), Tensor.FromValues([4f, 0f, 0f, 0f], 1, 2, 2)); // errors 4, 0 (+ padding)
        }

        Assert.Equal(Math.Sqrt((1 + 4 + 16 + 0) / 4.0), rmse.Result, 12);
        Assert.Equal((1 + 2 + 4 + 0) / 4.0, mae.Result, 12);
        Assert.Equal("mae", mae.Name);
    }

    [Fact]
    public void The_registry_creates_each_metric_by_name()
    {
        foreach (string name in MetricRegistry.Names)
        {
            Assert.Equal(name, MetricRegistry.Create(name).Name);
        }

        var e = Assert.Throws<ArgumentException>(() => MetricRegistry.Create("f1"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("perplexity", e.Message);
    }
}
