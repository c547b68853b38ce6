# UNIP-B: ViT-B/16 student (768-d, 12 heads; 16 in the last block), MAE-L
# teacher at layer 18, InfMix; 8 GPUs x 128 x 4 accumulation = 4096.
_base_ = ['./unip-s_infmix.py']
model = dict(backbone=dict(arch='base'))
train_dataloader = dict(batch_size=128)
optim_wrapper = dict(accumulative_counts=4)
