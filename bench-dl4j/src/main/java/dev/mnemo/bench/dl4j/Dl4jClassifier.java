package dev.mnemo.bench.dl4j;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J's side, the way its documentation builds a sequence classifier: a {@link MultiLayerNetwork}
 * of {@link LSTM} (tanh, sigmoid gates) wrapped in {@link LastTimeStep}, then an {@link OutputLayer}
 * (softmax, MCXENT — multi-class cross-entropy, averaged over the minibatch), float32 throughout,
 * input {@code [B, I, T]} (DL4J's default NCW layout), full back-propagation through time.
 *
 * <p>{@code LastTimeStep} passes only the last step to the output layer and, backward, puts the
 * gradient at that step; the LSTM's backward still runs over all T steps — the same work as
 * Mnemo's side.
 */
public final class Dl4jClassifier implements SequenceClassifier {

    private final BenchShape shape;
    private final MultiLayerNetwork net;
    private final INDArray features;
    private final INDArray labels;

    public Dl4jClassifier(BenchData data, OptimizerKind optimizerKind, long seed) {
        this.shape = data.shape();
        IUpdater updater = optimizerKind == OptimizerKind.SGD
                ? new Sgd(OptimizerKind.SGD_LR)
                : new Adam(OptimizerKind.ADAM_LR);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new LastTimeStep(new LSTM.Builder()
                        .nIn(shape.input()).nOut(shape.hidden())
                        .activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID)
                        .build()))
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX)
                        .nIn(shape.hidden()).nOut(BenchShape.CLASSES)
                        .build())
                .build();
        this.net = new MultiLayerNetwork(conf);
        net.init();
        this.features = Nd4j.create(data.batchFeatureTime(), new long[]{shape.batch(), shape.input(), shape.steps()},
                'c');
        this.labels = Nd4j.create(data.oneHotTargets(), new long[]{shape.batch(), BenchShape.CLASSES}, 'c');
    }

    @Override
    public String name() {
        return "DL4J";
    }

    @Override
    public float[] forward() {
        INDArray out = net.output(features, false);
        return out.dup('c').data().asFloat();
    }

    @Override
    public double trainStep() {
        net.fit(features, labels);
        return net.score();
    }

    @Override
    public long parameterCount() {
        return net.numParams();
    }

    @Override
    public String parameterBreakdown() {
        return "LSTM " + net.getLayer(0).numParams() + " = 4H(I+H) + 4H (W, RW and one bias b; no peepholes),"
                + " head " + net.getLayer(1).numParams() + " = 10H + 10";
    }

    /** The network, for the self-check (which copies weights into it). */
    MultiLayerNetwork network() {
        return net;
    }
}
