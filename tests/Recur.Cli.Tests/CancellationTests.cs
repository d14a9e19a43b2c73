using System.Globalization;
using Recur.Cli.Common;
using static Recur.Cli.Tests.Cli;

namespace Recur.Cli.Tests;

/// <summary>
/// Ctrl+C during training, through the token that Program hands to <see cref="App.Run"/>. The "key press" comes from
/// the output writer when a given progress line is written, inside the epoch-end callbacks: no timing involved.
/// </summary>
public sealed class CancellationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-cancel-tests-").FullName;
    private readonly string _sentences;

    public CancellationTests()
    {
        _sentences = Path.Combine(_dir, "amazon.tsv");
        File.WriteAllLines(_sentences, File.ReadLines(Bundled("sentiment/uci-labelled/amazon.tsv")).Take(201));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // 140 training sentences in batches of 16: 9 batches per epoch.
    private string[] Train(string run, int epochs) =>
        ["classify", "train", "--data", _sentences, "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--hidden", "8", "--embedding", "8", "--batch", "16", "--min-freq", "1", "--out", run];

    [Fact]
    public void Ctrl_c_after_the_first_epoch_stops_after_one_more_batch_and_keeps_the_best_epoch_so_far()
    {
        string run = Path.Combine(_dir, "stopped"), reference = Path.Combine(_dir, "one-epoch");
        using var cancel = new CancellationTokenSource();
        using var output = new CancelOnLine("epoch 1/", cancel);
        using var error = new StringWriter();

        int code = App.Run(Train(run, epochs: 5), output, error, cancel.Token);
        var uninterrupted = Run(Train(reference, epochs: 1));

        Assert.True(code == 0, error.ToString());
        Assert.Contains("stopped (Ctrl+C) in epoch 2; kept the best epoch so far", output.ToString());
        Assert.DoesNotContain("epoch 3/", output.ToString());
        Assert.False(File.Exists(Path.Combine(run, "checkpoint.tmp.safetensors")));
        var kept = ModelStore.Load(Path.Combine(run, ModelStore.FileName), "classify");
        var epochs = kept.History!.Epochs;
        Assert.Equal(2, epochs.Count); // epoch 1, and epoch 2 after its first batch, validated too
        int best = epochs[0]["val_loss"] <= epochs[1]["val_loss"] ? 0 : 1;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"best epoch {best + 1}, validation loss {epochs[best]["val_loss"]:F3}"), output.ToString());

        // Same seed, same batches: the file holds epoch 1's weights exactly when epoch 1 was the better one.
        Assert.True(uninterrupted.Code == 0, uninterrupted.Error);
        var first = ModelStore.Load(Path.Combine(reference, ModelStore.FileName), "classify").Model.Parameters;
        bool same = kept.Model.Parameters.Zip(first).All(p => p.First.Value.Span.SequenceEqual(p.Second.Value.Span));
        Assert.Equal(best == 0, same);
        var predicted = Run("classify", "predict", "great phone", "--model", Path.Combine(run, ModelStore.FileName));
        Assert.True(predicted.Code == 0, predicted.Error);
    }

    [Fact]
    public void Ctrl_c_before_the_first_epoch_is_complete_saves_nothing_and_leaves_an_existing_model_as_it_was()
    {
        string run = Path.Combine(_dir, "existing"), fresh = Path.Combine(_dir, "fresh");
        Assert.Equal(0, Run(Train(run, epochs: 1)).Code);
        var before = Directory.GetFiles(run).Order().Select(File.ReadAllBytes).ToArray();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel(); // pressed before training starts: it stops after the first batch

        var overwrite = Run(cancelled.Token, Train(run, epochs: 3));
        var create = Run(cancelled.Token, Train(fresh, epochs: 3));

        AssertOneErrorLine(overwrite, "stopped (Ctrl+C) before the first epoch was complete; nothing was saved", Path.Combine(run, ModelStore.FileName));
        Assert.Equal(before, Directory.GetFiles(run).Order().Select(File.ReadAllBytes).ToArray());
        AssertOneErrorLine(create, "nothing was saved");
        Assert.Empty(Directory.GetFiles(fresh));
    }

    /// <summary>Captures the output and cancels <paramref name="cancel"/> once a line starting with <paramref name="prefix"/> is written.</summary>
    private sealed class CancelOnLine(string prefix, CancellationTokenSource cancel) : StringWriter(CultureInfo.InvariantCulture)
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith(prefix, StringComparison.Ordinal) == true)
            {
                cancel.Cancel();
            }
        }
    }
}
