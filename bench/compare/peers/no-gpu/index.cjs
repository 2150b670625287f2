// See package.json: js-pytorch requires this module only when a tensor is on device 'gpu'.
throw new Error(
  "js-pytorch device 'gpu' is unavailable: nabla's bench replaces @eduardoleao052/gpu (native 'gl') by this stub",
);
