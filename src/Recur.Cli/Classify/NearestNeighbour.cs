namespace Recur.Cli.Classify;

/// <summary>
/// The non-linear baseline of numeric inputs, whose examples all have the same length: each example gets the class
/// of the nearest training example (Euclidean distance over all its values, as the network reads them).
/// </summary>
internal static class NearestNeighbour
{
    public static int[] Predict(float[][] train, int[] trainLabels, IEnumerable<float[]> examples) => examples.Select(x =>
    {
        int nearest = 0;
        double best = double.PositiveInfinity;
        for (int i = 0; i < train.Length; i++)
        {
            double distance = 0;
            for (int f = 0; f < x.Length && distance < best; f++)
            {
                double d = x[f] - train[i][f];
                distance += d * d;
            }

            if (distance < best)
            {
                (best, nearest) = (distance, i);
            }
        }

        return trainLabels[nearest];
    }).ToArray();
}
