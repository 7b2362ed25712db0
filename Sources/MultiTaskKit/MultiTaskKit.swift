// The umbrella module: `import MultiTaskKit` brings every layer, bottom-up as the chapters read.
@_exported import TensorCore
@_exported import Autodiff
@_exported import NeuralNetworks
@_exported import TaskData
@_exported import MultiTask
