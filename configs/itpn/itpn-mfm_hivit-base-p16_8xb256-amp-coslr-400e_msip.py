# iTPN-B pixel + masked feature modeling from scratch on MSIP: the
# pixel config plus MFM (configs/itpn/README.md, "Choices").
_base_ = ['./itpn-pixel_hivit-base-p16_8xb256-amp-coslr-400e_msip.py']
model = dict(mfm_head={{_base_.itpn_mfm_head}}, base_momentum=0.996)
