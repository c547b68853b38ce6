# iTPN-B pixel + masked feature modeling on ImageNet-1K, 1600 epochs: the
# pixel config plus MFM (an EMA teacher's stage features regressed from
# the pyramid levels; the authors released no MFM code, so its settings
# are mmir's choices, see configs/itpn/README.md).
_base_ = ['./itpn-pixel_hivit-base-p16_8xb512-amp-coslr-1600e_in1k.py']
model = dict(mfm_head={{_base_.itpn_mfm_head}}, base_momentum=0.996)
